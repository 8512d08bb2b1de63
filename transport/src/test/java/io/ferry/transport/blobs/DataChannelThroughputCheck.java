package io.ferry.transport.blobs;

import io.ferry.repository.BlobInfo;
import io.ferry.repository.BlobStore;
import io.ferry.repository.LocalDirectoryStore;
import io.ferry.transport.tls.Tls;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Opt-in throughput check of the data channel, not a timed test: 4 threads put 1 GiB of 256 KiB
 * blobs through RemoteBlobStore → loopback mutual TLS → BlobServer, once into a store that drops
 * the bytes (the wire alone) and once into a LocalDirectoryStore (wire + disk). Prints MB/s and
 * process CPU per byte (sender and receiver share this machine's cores).
 *
 * <p>Run: {@code ./mvnw -o -pl transport test -Dtest=DataChannelThroughputCheck -Dferry.transport.throughput=true}
 */
@EnabledIfSystemProperty(named = "ferry.transport.throughput", matches = "true")
class DataChannelThroughputCheck {
  static final int BLOB = 256 * 1024;
  static final int THREADS = 4;
  @TempDir Path dir;

  @Test
  void putOneGibibyteFromFourThreads() throws Exception {
    long total = Long.getLong("ferry.transport.throughput.mib", 1024) << 20;
    DataChannel channel = new DataChannel(dir);
    try {
      DroppingStore sink = new DroppingStore();
      try (BlobServer wireOnly = BlobServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), Tls.server(channel.recoveryIdentity, channel.ca.certificate()),
          (peer, repo) -> Optional.of(sink))) {
        run("data channel, warm-up", channel, wireOnly.port(), total / 4);
        run("data channel, wire only (receiver drops the bytes)", channel, wireOnly.port(), total);
      }
      try (LocalDirectoryStore local = new LocalDirectoryStore(dir.resolve("local-baseline"))) {
        run("baseline without the wire: LocalDirectoryStore alone on " + dir, local, total);
      }
      run("data channel, wire + LocalDirectoryStore on " + dir, channel, channel.server.port(), total);
    } finally {
      channel.close();
    }
  }

  private static void run(String what, DataChannel channel, int port, long total) throws Exception {
    try (RetryingBlobStore remote = new RetryingBlobStore(new RemoteBlobStore(java.net.URI.create("https://127.0.0.1:" + port), DataChannel.REPO,
        channel.clientContext(DataChannel.SOURCE), Duration.ofSeconds(30)))) {
      run(what, remote, total);
    }
  }

  private static void run(String what, BlobStore remote, long total) throws Exception {
    var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    byte[][] data = new byte[THREADS][BLOB];
    for (int t = 0; t < THREADS; t++) new Random(t).nextBytes(data[t]);
    long blobs = total / BLOB;
    AtomicLong next = new AtomicLong();
    String runId = Long.toHexString(System.nanoTime());
    {
      long cpu0 = os.getProcessCpuTime();
      long t0 = System.nanoTime();
      ExecutorService pool = Executors.newFixedThreadPool(THREADS);
      List<Future<?>> fs = new ArrayList<>();
      for (int t = 0; t < THREADS; t++) {
        byte[] mine = data[t];
        fs.add(pool.submit(() -> {
          for (long i; (i = next.getAndIncrement()) < blobs;) {
            mine[0] = (byte) i; // distinct content, as chunks would be
            remote.put("chunks/" + String.format("%02x", i & 0xff) + "/" + runId + "-" + i, mine);
          }
          return null;
        }));
      }
      for (Future<?> f : fs) f.get();
      remote.sync();
      pool.shutdown();
      double seconds = (System.nanoTime() - t0) / 1e9;
      double cpu = (os.getProcessCpuTime() - cpu0) / 1e9;
      long bytes = blobs * BLOB;
      System.out.printf("%s: %d MiB in %d blobs of %d KiB from %d threads in %.2f s = %.0f MB/s; process CPU %.2f s (%.0f MB/s per busy core, both ends); load %.1f on %d cores%n",
          what, bytes >> 20, blobs, BLOB >> 10, THREADS, seconds, bytes / seconds / 1e6, cpu, bytes / cpu / 1e6, os.getSystemLoadAverage(), os.getAvailableProcessors());
    }
  }

  /** A BlobStore that counts and forgets: the receiver's cost without the disk. */
  static final class DroppingStore implements BlobStore {
    final LongAdder bytes = new LongAdder();

    @Override
    public void put(String key, byte[] data) {
      bytes.add(data.length);
    }

    @Override
    public byte[] get(String key) throws IOException {
      throw new io.ferry.repository.NoSuchBlobException(key, "nowhere");
    }

    @Override
    public boolean exists(String key) {
      return false;
    }

    @Override
    public void delete(String key) {}

    @Override
    public Stream<BlobInfo> list(String prefix) {
      return Stream.empty();
    }

    @Override
    public void sync() {}
  }

}
