package io.ferry.repository;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ChunkRoundTripTest {
  @TempDir Path dir;

  @ParameterizedTest
  @EnumSource(value = Encryption.class, names = {"NONE", "PASSPHRASE"})
  void randomCompressibleAndZeroChunksRoundTrip(Encryption e) throws IOException {
    try (Repository repo = TestRepos.init(dir.resolve("r"), e)) {
      byte[] random = TestRepos.random(1, TestRepos.CHUNK);
      byte[] text = TestRepos.compressible(2, TestRepos.CHUNK);
      byte[] shortTail = TestRepos.random(3, 1000);
      for (byte[] content : new byte[][] {random, text, shortTail}) {
        ChunkId id = repo.chunkId(ByteBuffer.wrap(content));
        long stored = repo.putChunk(id, ByteBuffer.wrap(content));
        assertThat(stored).isPositive();
        assertThat(repo.readChunk(id)).isEqualTo(content);
      }
      byte[] zeros = new byte[TestRepos.CHUNK];
      ChunkId zero = repo.chunkId(ByteBuffer.wrap(zeros));
      assertThat(zero).isEqualTo(ChunkId.ZERO);
      assertThat(zero.isZero()).isTrue();
      assertThat(repo.putChunk(zero, ByteBuffer.wrap(zeros))).isZero();
      assertThat(repo.readChunk(ChunkId.ZERO)).isEqualTo(zeros);
      assertThat(repo.hasChunk(ChunkId.ZERO)).isTrue();
      try (var s = repo.store().list("chunks/")) {
        assertThat(s.count()).isEqualTo(3);
      }
      RepositoryStats st = repo.stats();
      assertThat(st.chunksWritten()).isEqualTo(3);
      assertThat(st.zeroChunks()).isEqualTo(1);
      assertThat(st.chunkPlainBytesWritten()).isEqualTo(2L * TestRepos.CHUNK + 1000);
    }
  }

  @ParameterizedTest
  @EnumSource(value = Encryption.class, names = {"NONE", "PASSPHRASE"})
  void compressibleDataIsStoredCompressedAndRandomDataRaw(Encryption e) throws IOException {
    try (Repository repo = TestRepos.init(dir.resolve("r"), e)) {
      byte[] text = TestRepos.compressible(2, TestRepos.CHUNK);
      byte[] random = TestRepos.random(1, TestRepos.CHUNK);
      long textStored = repo.putChunk(repo.chunkId(ByteBuffer.wrap(text)), ByteBuffer.wrap(text));
      ChunkId rid = repo.chunkId(ByteBuffer.wrap(random));
      long randomStored = repo.putChunk(rid, ByteBuffer.wrap(random));
      assertThat(textStored).isLessThan(TestRepos.CHUNK / 2);
      int overhead = BlobFrame.HEADER_LENGTH + (e == Encryption.NONE ? 0 : BlobFrame.NONCE_LENGTH + BlobFrame.TAG_LENGTH);
      assertThat(randomStored).isEqualTo(TestRepos.CHUNK + overhead);
      byte[] frame = repo.store().get(BlobKeys.chunk(rid));
      assertThat(frame[6] & BlobFrame.FLAG_COMPRESSED).as("raw when compression does not shrink").isZero();
    }
  }

  @Test
  void theSamePlaintextGivesTheSameIdAndIsStoredOnce() throws IOException {
    CountingBlobStore store = new CountingBlobStore(new LocalDirectoryStore(dir.resolve("r")));
    try (Repository repo = Repository.init(store, TestRepos.config(Encryption.NONE), new KeySource.None())) {
      byte[] a = TestRepos.compressible(7, TestRepos.CHUNK);
      byte[] b = a.clone();
      ChunkId ia = repo.chunkId(ByteBuffer.wrap(a));
      ChunkId ib = repo.chunkId(ByteBuffer.wrap(b));
      assertThat(ia).isEqualTo(ib).hasSameHashCodeAs(ib);
      assertThat(repo.putChunk(ia, ByteBuffer.wrap(a))).isPositive();
      assertThat(repo.putChunk(ib, ByteBuffer.wrap(b))).isZero();
      assertThat(store.puts("chunks/")).isEqualTo(1);
      assertThat(repo.stats().chunksDeduplicated()).isEqualTo(1);
      assertThat(repo.hasChunk(ia)).isTrue();
    }
    store.inner.close();
  }

  @Test
  void unencryptedIdsArePlainSha256AndEncryptedIdsAreKeyed() throws Exception {
    byte[] content = TestRepos.random(9, 4096);
    String sha = HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(content));
    try (Repository plain = TestRepos.init(dir.resolve("p"), Encryption.NONE);
        Repository enc = TestRepos.init(dir.resolve("e"), Encryption.PASSPHRASE)) {
      assertThat(plain.chunkId(ByteBuffer.wrap(content)).hex()).isEqualTo(sha);
      assertThat(enc.chunkId(ByteBuffer.wrap(content)).hex()).isNotEqualTo(sha);
    }
  }

  @Test
  void directAndReadOnlyBuffersWorkAndAreNotConsumed() throws IOException {
    try (Repository repo = TestRepos.init(dir.resolve("r"), Encryption.NONE)) {
      byte[] content = TestRepos.compressible(3, TestRepos.CHUNK);
      ByteBuffer direct = ByteBuffer.allocateDirect(content.length).put(content).flip();
      ChunkId id = repo.chunkId(direct);
      assertThat(direct.remaining()).isEqualTo(content.length);
      assertThat(id).isEqualTo(repo.chunkId(ByteBuffer.wrap(content).asReadOnlyBuffer()));
      repo.putChunk(id, direct);
      assertThat(direct.position()).isZero();
      assertThat(repo.readChunk(id)).isEqualTo(content);
      byte[] other = TestRepos.compressible(4, TestRepos.CHUNK);
      ByteBuffer ro = ByteBuffer.wrap(other).asReadOnlyBuffer();
      ChunkId oid = repo.chunkId(ro);
      repo.putChunk(oid, ro);
      assertThat(repo.readChunk(oid)).isEqualTo(other);
    }
  }

  @Test
  void aChunkLargerThanTheChunkSizeIsRefused() throws IOException {
    try (Repository repo = TestRepos.init(dir.resolve("r"), Encryption.NONE)) {
      assertThatThrownBy(() -> repo.chunkId(ByteBuffer.allocate(TestRepos.CHUNK + 1))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at most");
    }
  }

  @Test
  void aMissingChunkIsReportedAsMissingNamingTheKey() throws IOException {
    try (Repository repo = TestRepos.init(dir.resolve("r"), Encryption.NONE)) {
      byte[] content = TestRepos.random(5, 100);
      ChunkId id = repo.chunkId(ByteBuffer.wrap(content));
      repo.putChunk(id, ByteBuffer.wrap(content));
      repo.store().sync();
      Files.delete(dir.resolve("r").resolve(BlobKeys.chunk(id)));
      assertThatThrownBy(() -> repo.readChunk(id)).isInstanceOf(MissingBlobException.class).hasMessageContaining(BlobKeys.chunk(id)).hasMessageContaining(repo.id());
    }
  }
}
