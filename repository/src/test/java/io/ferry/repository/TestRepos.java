package io.ferry.repository;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Shared helpers: repositories with a fast KDF, chunk contents, disks written from maps. */
final class TestRepos {
  static final int CHUNK = RepositoryConfig.MIN_CHUNK_SIZE; // 64 KiB keeps tests fast
  static final char[] PASSPHRASE = "correct horse battery staple".toCharArray();

  private TestRepos() {}

  static RepositoryConfig config(Encryption e) {
    return new RepositoryConfig(CHUNK, 1, e).withKdfIterations(1000);
  }

  static KeySource key(Encryption e) {
    return e == Encryption.PASSPHRASE ? new KeySource.Passphrase(PASSPHRASE) : new KeySource.None();
  }

  static Repository init(Path dir, Encryption e) throws IOException {
    return Repository.initLocal(dir, config(e), key(e));
  }

  static byte[] random(long seed, int n) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  /** Text-like content that compresses about 3:1. */
  static byte[] compressible(long seed, int n) {
    Random r = new Random(seed);
    String[] words = {"ferry ", "recovery ", "point ", "chunk ", "disk ", "qemu ", "kvm ", "index ", "page ", "0123 "};
    byte[] b = new byte[n];
    int i = 0;
    while (i < n) {
      byte[] w = words[r.nextInt(words.length)].getBytes();
      for (int k = 0; k < w.length && i < n; k++) b[i++] = w[k];
      if (r.nextInt(8) == 0 && i < n) b[i++] = (byte) r.nextInt(256);
    }
    return b;
  }

  /** Writes chunks {index → content} and commits an index of a disk of {@code size} bytes. */
  static IndexRef writeDisk(Repository repo, long size, DiskIndex parent, Map<Long, byte[]> chunks) throws IOException {
    IndexBuilder b = repo.newIndex(size, parent);
    for (Map.Entry<Long, byte[]> e : new TreeMap<>(chunks).entrySet()) {
      ByteBuffer buf = ByteBuffer.wrap(e.getValue());
      ChunkId id = repo.chunkId(buf);
      repo.putChunk(id, buf);
      b.set(e.getKey(), id);
    }
    return b.commit();
  }

  static PointManifest commit(Repository repo, String machine, String parent, String disk, IndexRef ref) throws IOException {
    return repo.commitPoint(new PointDraft(machine, Consistency.CRASH, parent, List.of(new DiskRef(disk, ref.diskSize(), ref)), Map.of()));
  }

  static Path fileOf(Path repoDir, String key) {
    return repoDir.resolve(key);
  }

  static void flipByte(Path file, int offset) throws IOException {
    byte[] b = Files.readAllBytes(file);
    int at = offset < 0 ? b.length + offset : offset;
    b[at] ^= 0x5a;
    Files.write(file, b);
  }

  /** Every file under {@code dir} with its size and mtime, for "nothing changed" assertions. */
  static Map<String, String> snapshot(Path dir) throws IOException {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.toList())
        out.put(dir.relativize(p).toString(), Files.isDirectory(p) ? "dir " + Files.getLastModifiedTime(p) : Files.size(p) + " " + Files.getLastModifiedTime(p));
    }
    return out;
  }
}
