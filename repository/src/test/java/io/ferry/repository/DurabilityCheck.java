package io.ferry.repository;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

/**
 * Not a test: measures how to make a batch of written files durable before renaming them (the
 * decision in docs/formats.md §7). Each mode writes the same N files of S bytes into 4-hex fan-out
 * directories, makes them durable, renames them and makes the renames durable:
 * {@code per-file} (open, write, fsync, rename on 4 threads: the old store), {@code syncfs} (write
 * all, one {@code sync -f}, rename all, one {@code sync -f}), {@code force-P} (write all, fsync each
 * from P threads, rename all, fsync each changed directory from P threads).
 *
 * <p>Run: {@code java -cp <test classpath> io.ferry.repository.DurabilityCheck [dir=/var/tmp] [files=4096] [KiB=256]}
 */
public final class DurabilityCheck {
  public static void main(String[] args) throws Exception {
    Path parent = Path.of(args.length > 0 ? args[0] : "/var/tmp");
    int files = args.length > 1 ? Integer.parseInt(args[1]) : 4096;
    int size = (args.length > 2 ? Integer.parseInt(args[2]) : 256) << 10;
    byte[] data = new byte[size];
    new Random(1).nextBytes(data);
    Path dir = Files.createTempDirectory(parent, "ferry-durability");
    try {
      for (String mode : new String[] {"per-file", "syncfs", "force-8", "force-32", "per-file", "syncfs", "force-8", "force-32"}) {
        Path root = Files.createDirectories(dir.resolve(mode + "-" + System.nanoTime()));
        Runtime.getRuntime().exec(new String[] {"sync", "-f", root.toString()}).waitFor(); // start clean
        long t0 = System.nanoTime();
        long[] phases = run(mode, root, files, data);
        double s = (System.nanoTime() - t0) / 1e9;
        System.out.printf("%-9s %d files x %d KiB: %.2f s = %.0f files/s, %.0f MB/s (write %.2f s, make durable %.2f s, rename %.2f s, renames durable %.2f s)%n",
            mode, files, size >> 10, s, files / s, (double) files * size / s / 1e6, phases[0] / 1e9, phases[1] / 1e9, phases[2] / 1e9, phases[3] / 1e9);
        deleteTree(root);
      }
    } finally {
      deleteTree(dir);
    }
  }

  private static long[] run(String mode, Path root, int files, byte[] data) throws Exception {
    List<Path> tmps = new ArrayList<>();
    List<Path> targets = new ArrayList<>();
    Random r = new Random(7);
    for (int i = 0; i < files; i++) {
      String hex = HexFormat.of().toHexDigits(r.nextLong());
      Path d = root.resolve("chunks").resolve(hex.substring(0, 2));
      targets.add(d.resolve(hex));
      tmps.add(d.resolve("." + hex + ".tmp"));
    }
    long[] ph = new long[4];
    if (mode.equals("per-file")) {
      long t = System.nanoTime();
      parallel(4, files, i -> {
        Files.createDirectories(tmps.get(i).getParent());
        write(tmps.get(i), data, true);
        Files.move(tmps.get(i), targets.get(i), StandardCopyOption.ATOMIC_MOVE);
      });
      ph[0] = System.nanoTime() - t;
      t = System.nanoTime();
      parallel(4, dirs(targets).size(), forceDir(dirs(targets)));
      ph[3] = System.nanoTime() - t;
      return ph;
    }
    long t = System.nanoTime();
    for (int i = 0; i < files; i++) {
      Files.createDirectories(tmps.get(i).getParent());
      write(tmps.get(i), data, false);
    }
    ph[0] = System.nanoTime() - t;
    t = System.nanoTime();
    int threads = mode.startsWith("force-") ? Integer.parseInt(mode.substring(6)) : 0;
    if (threads == 0) syncfs(root);
    else parallel(threads, files, i -> {
      try (FileChannel ch = FileChannel.open(tmps.get(i), StandardOpenOption.WRITE)) {
        ch.force(false);
      }
    });
    ph[1] = System.nanoTime() - t;
    t = System.nanoTime();
    for (int i = 0; i < files; i++) Files.move(tmps.get(i), targets.get(i), StandardCopyOption.ATOMIC_MOVE);
    ph[2] = System.nanoTime() - t;
    t = System.nanoTime();
    if (threads == 0) syncfs(root);
    else parallel(threads, dirs(targets).size(), forceDir(dirs(targets)));
    ph[3] = System.nanoTime() - t;
    return ph;
  }

  interface Step {
    void run(int i) throws Exception;
  }

  private static Step forceDir(List<Path> dirs) {
    return i -> {
      try (FileChannel ch = FileChannel.open(dirs.get(i), StandardOpenOption.READ)) {
        ch.force(true);
      }
    };
  }

  private static List<Path> dirs(List<Path> targets) {
    Set<Path> s = new LinkedHashSet<>();
    for (Path p : targets) s.add(p.getParent());
    s.add(targets.get(0).getParent().getParent());
    return new ArrayList<>(s);
  }

  private static void parallel(int threads, int n, Step step) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> fs = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int tt = t;
        fs.add(pool.submit(() -> {
          for (int i = tt; i < n; i += threads) step.run(i);
          return null;
        }));
      }
      for (Future<?> f : fs) f.get();
    } finally {
      pool.shutdown();
    }
  }

  private static void write(Path p, byte[] data, boolean force) throws IOException {
    try (FileChannel ch = FileChannel.open(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      ByteBuffer b = ByteBuffer.wrap(data);
      while (b.hasRemaining()) ch.write(b);
      if (force) ch.force(false);
    }
  }

  private static void syncfs(Path root) throws Exception {
    Process p = new ProcessBuilder("sync", "-f", root.toString()).inheritIO().start();
    if (p.waitFor() != 0) throw new IOException("sync -f " + root + " failed");
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) return;
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
    }
  }
}
