package io.ferry.repository;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

/**
 * A quick self-check of the write path, not a test and not the benchmark: N threads hash
 * (SHA-256, or HMAC when encrypted), compress (zstd-1) and put unique chunks (text-like, ~3:1, or
 * random) into a local repository in a temporary directory, then sync; prints MB/s of plaintext end
 * to end and the process CPU time.
 *
 * <p>Run: {@code java -cp <test classpath> io.ferry.repository.ThroughputCheck [GiB=1] [threads=2] [none|passphrase] [dir] [text|random]}
 */
public final class ThroughputCheck {
  public static void main(String[] args) throws Exception {
    long total = (long) (Double.parseDouble(args.length > 0 ? args[0] : "1") * (1L << 30));
    int threads = args.length > 1 ? Integer.parseInt(args[1]) : 2;
    Encryption enc = args.length > 2 && args[2].equals("passphrase") ? Encryption.PASSPHRASE : Encryption.NONE;
    Path parent = args.length > 3 ? Path.of(args[3]) : Path.of(System.getProperty("java.io.tmpdir"));
    boolean random = args.length > 4 && args[4].equals("random");
    Path dir = Files.createTempDirectory(parent, "ferry-throughput");
    int chunk = RepositoryConfig.DEFAULT_CHUNK_SIZE;
    RepositoryConfig cfg = RepositoryConfig.defaults().withEncryption(enc).withKdfIterations(1000);
    KeySource key = enc == Encryption.NONE ? new KeySource.None() : new KeySource.Passphrase("bench".toCharArray());
    try {
      run(dir, cfg, key, chunk, total / 8, threads, random); // warm-up (JIT, zstd contexts)
      deleteTree(dir);
      Files.createDirectories(dir);
      var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
      long cpu0 = os.getProcessCpuTime();
      long t0 = System.nanoTime();
      RepositoryStats s = run(dir, cfg, key, chunk, total, threads, random);
      double seconds = (System.nanoTime() - t0) / 1e9;
      double cpuSeconds = (os.getProcessCpuTime() - cpu0) / 1e9;
      long plain = s.chunkPlainBytesWritten();
      System.out.printf("%d threads, %s, %s, %d KiB chunks: %.0f MiB plaintext in %.2f s = %.0f MB/s end to end (stored %.0f MiB, ratio %.2f, %d chunks)%n",
          threads, enc, random ? "random" : "text", chunk >> 10, plain / 1048576.0, seconds, plain / seconds / 1e6, s.chunkBytesStored() / 1048576.0,
          (double) plain / s.chunkBytesStored(), s.chunksWritten());
      // on a shared machine wall time depends on the neighbours; CPU time per byte does not
      System.out.printf("process CPU %.2f s (user+sys, all threads) = %.0f MB/s per busy core; %d idle cores would give ~%.0f MB/s (machine load %.1f)%n",
          cpuSeconds, plain / cpuSeconds / 1e6, threads, threads * plain / cpuSeconds / 1e6, os.getSystemLoadAverage());
    } finally {
      deleteTree(dir);
    }
  }

  private static RepositoryStats run(Path dir, RepositoryConfig cfg, KeySource key, int chunk, long total, int threads, boolean random) throws Exception {
    long chunks = total / chunk;
    try (Repository repo = Repository.initLocal(dir.resolve("repo"), cfg, key)) {
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      List<Future<?>> fs = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int tt = t;
        fs.add(pool.submit(() -> {
          byte[] buf = random ? TestRepos.random(tt, chunk) : TestRepos.compressible(tt, chunk); // reused: one buffer per thread
          ByteBuffer bb = ByteBuffer.wrap(buf);
          for (long i = tt; i < chunks; i += threads) {
            stamp(buf, i); // make every chunk unique, as a real disk mostly is
            ChunkId id = repo.chunkId(bb);
            repo.putChunk(id, bb);
          }
          return null;
        }));
      }
      for (Future<?> f : fs) f.get();
      pool.shutdown();
      repo.store().sync();
      return repo.stats();
    }
  }

  private static void stamp(byte[] buf, long n) {
    for (int at = 0; at + 8 <= buf.length; at += 4096)
      for (int k = 0; k < 8; k++) buf[at + k] = (byte) (n >>> (8 * k));
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) return;
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
    }
  }
}
