package io.ferry.repository;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EncryptionTest {
  @TempDir Path dir;

  @Test
  void aWrongPassphraseIsRefusedClearlyAndNothingIsModified() throws Exception {
    Path r = dir.resolve("r");
    String id;
    try (Repository repo = TestRepos.init(r, Encryption.PASSPHRASE)) {
      id = repo.id();
      TestRepos.commit(repo, "m", null, "vda", TestRepos.writeDisk(repo, 1L << 20, null, Map.of(0L, TestRepos.random(1, 5000))));
    }
    Map<String, String> before = TestRepos.snapshot(r);
    Thread.sleep(20); // an mtime written now would differ
    assertThatThrownBy(() -> Repository.openLocal(r, new KeySource.Passphrase("wrong".toCharArray())))
        .isInstanceOf(WrongKeyException.class).hasMessageContaining("wrong passphrase/key for repository " + id).hasMessageContaining(r.toString());
    assertThatThrownBy(() -> Repository.openLocal(r, new KeySource.None()))
        .isInstanceOf(RepositoryException.class).hasMessageContaining("is encrypted").hasMessageContaining("passphrase is needed");
    Path keyFile = dir.resolve("key");
    Files.write(keyFile, TestRepos.random(3, 32));
    assertThatThrownBy(() -> Repository.openLocal(r, new KeySource.KeyFile(keyFile))).isInstanceOf(WrongKeyException.class).hasMessageContaining("passphrase, not a key file");
    assertThat(TestRepos.snapshot(r)).isEqualTo(before);
    try (Repository ok = Repository.openLocal(r, new KeySource.Passphrase(TestRepos.PASSPHRASE))) {
      assertThat(ok.verify(ProgressListener.NONE).clean()).isTrue();
    }
  }

  @Test
  void aKeyFileRepositoryOpensWithItsKeyAndNotWithAnother() throws IOException {
    Path keyFile = dir.resolve("key");
    Files.write(keyFile, TestRepos.random(7, 32));
    Path r = dir.resolve("r");
    byte[] content = TestRepos.compressible(1, TestRepos.CHUNK);
    ChunkId id;
    try (Repository repo = Repository.initLocal(r, TestRepos.config(Encryption.KEYFILE), new KeySource.KeyFile(keyFile))) {
      assertThat(repo.encrypted()).isTrue();
      id = repo.chunkId(ByteBuffer.wrap(content));
      repo.putChunk(id, ByteBuffer.wrap(content));
    }
    assertThat(Files.readString(r.resolve("config"))).contains("\"keyfile\"").doesNotContain("kdf");
    try (Repository repo = Repository.openLocal(r, new KeySource.KeyFile(keyFile))) {
      assertThat(repo.readChunk(id)).isEqualTo(content);
    }
    Path other = dir.resolve("other");
    Files.write(other, TestRepos.random(8, 32));
    assertThatThrownBy(() -> Repository.openLocal(r, new KeySource.KeyFile(other))).isInstanceOf(WrongKeyException.class).hasMessageContaining("wrong passphrase/key");
    Path shortKey = dir.resolve("short");
    Files.write(shortKey, new byte[16]);
    assertThatThrownBy(() -> Repository.openLocal(r, new KeySource.KeyFile(shortKey))).isInstanceOf(WrongKeyException.class).hasMessageContaining("16 bytes, not 32");
  }

  @Test
  void aChunkFileRenamedToAnotherChunksNameIsDetected() throws IOException {
    Path r = dir.resolve("r");
    try (Repository repo = TestRepos.init(r, Encryption.PASSPHRASE)) {
      byte[] a = TestRepos.random(1, 3000);
      byte[] b = TestRepos.random(2, 3000);
      ChunkId ia = repo.chunkId(ByteBuffer.wrap(a));
      ChunkId ib = repo.chunkId(ByteBuffer.wrap(b));
      repo.putChunk(ia, ByteBuffer.wrap(a));
      repo.putChunk(ib, ByteBuffer.wrap(b));
      repo.store().sync();
      Files.move(r.resolve(BlobKeys.chunk(ia)), r.resolve(BlobKeys.chunk(ib)), StandardCopyOption.REPLACE_EXISTING);
      assertThatThrownBy(() -> repo.readChunk(ib)).isInstanceOf(CorruptBlobException.class)
          .hasMessageContaining(BlobKeys.chunk(ib)).hasMessageContaining("another blob's name");
    }
  }

  @Test
  void noPlaintextOrPlainShaAppearsInAnEncryptedRepository() throws Exception {
    Path r = dir.resolve("r");
    byte[] content = "a very recognisable plaintext block ".repeat(200).getBytes();
    try (Repository repo = TestRepos.init(r, Encryption.PASSPHRASE)) {
      ChunkId id = repo.chunkId(ByteBuffer.wrap(content));
      repo.putChunk(id, ByteBuffer.wrap(content));
      repo.store().sync();
      byte[] stored = Files.readAllBytes(r.resolve(BlobKeys.chunk(id)));
      assertThat(new String(stored, java.nio.charset.StandardCharsets.ISO_8859_1)).doesNotContain("recognisable");
      String sha = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(content));
      try (var files = Files.walk(r)) {
        assertThat(files.map(Path::toString).filter(p -> p.contains(sha)).toList()).isEmpty();
      }
    }
  }

  @Test
  void openingRefusesWhatIsNotARepositoryOrTooNew() throws IOException {
    assertThatThrownBy(() -> Repository.openLocal(dir.resolve("nope"), new KeySource.None())).isInstanceOf(RepositoryException.class).hasMessageContaining("not a Ferry repository");
    Path empty = Files.createDirectories(dir.resolve("empty"));
    assertThatThrownBy(() -> Repository.openLocal(empty, new KeySource.None())).hasMessageContaining("not a Ferry repository").hasMessageContaining("no config");
    Path r = dir.resolve("r");
    TestRepos.init(r, Encryption.NONE).close();
    assertThatThrownBy(() -> TestRepos.init(r, Encryption.NONE)).isInstanceOf(RepositoryException.class).hasMessageContaining("already exists");
    assertThatThrownBy(() -> Repository.openLocal(r, new KeySource.Passphrase("x".toCharArray()))).hasMessageContaining("is not encrypted");
    Files.writeString(r.resolve("config"), Files.readString(r.resolve("config")).replace("\"ferryRepository\" : 1", "\"ferryRepository\" : 7"));
    assertThatThrownBy(() -> Repository.openLocal(r, new KeySource.None())).hasMessageContaining("unsupported repository format 7").hasMessageContaining("upgrade");
    Files.writeString(r.resolve("config"), "garbage");
    assertThatThrownBy(() -> Repository.openLocal(r, new KeySource.None())).hasMessageContaining("not a Ferry repository").hasMessageContaining("not valid JSON");
  }
}
