package io.ferry.nbd;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Sequential throughput of NbdServer (nbdcopy to null:) and of NbdClient against it,
 * over a 1 GiB source of non-zero data. Run with {@code -Dferry.nbd.bench=true}.
 */
@EnabledIfSystemProperty(named = "ferry.nbd.bench", matches = "true")
class ThroughputBenchmarkTest {
    @TempDir
    Path dir;

    /** 1 GiB of non-zero data repeating a 4 MiB random block (never a hole). */
    static final class PatternSource implements ExportSource {
        private final ByteBuffer block;
        final java.util.concurrent.atomic.LongAdder served = new java.util.concurrent.atomic.LongAdder();

        PatternSource() {
            byte[] b = new byte[4 << 20];
            new Random(1).nextBytes(b);
            for (int i = 0; i < b.length; i += 512) {
                b[i] |= 1;
            }
            block = ByteBuffer.allocateDirect(b.length).put(b).flip();
        }

        @Override
        public long size() {
            return 1L << 30;
        }

        @Override
        public void read(long offset, ByteBuffer dst) {
            served.add(dst.remaining());
            while (dst.hasRemaining()) {
                int at = (int) (offset % block.capacity());
                int n = Math.min(dst.remaining(), block.capacity() - at);
                dst.put(block.slice(at, n));
                offset += n;
            }
        }

        @Override
        public List<Extent> allocation(long offset, long length) {
            return List.of(new Extent(offset, length, 0));
        }
    }

    @Test
    void measure() throws Exception {
        Path sock = dir.resolve("bench.sock");
        PatternSource source = new PatternSource();
        try (NbdServer server = NbdServer.start(new NbdAddress.Unix(sock), Map.of("", source))) {
            String uri = "nbd+unix:///?socket=" + sock;
            for (String conns : new String[] {"1", "4"}) {
                for (int round = 0; round < 2; round++) {
                    long before = source.served.sum();
                    long t0 = System.nanoTime();
                    ExternalServer.run("nbdcopy", "--connections=" + conns, uri, "null:").requireSuccess("nbdcopy");
                    double s = (System.nanoTime() - t0) / 1e9;
                    System.out.printf("BENCH server: nbdcopy --connections=%s 1 GiB -> null: %.2f s = %.0f MiB/s%n",
                            conns, s, 1024 / s);
                    assertThat(source.served.sum() - before).as("bytes really served").isEqualTo(1L << 30);
                }
            }
            try (NbdClient c = NbdClient.connect(server.address(), "", List.of())) {
                for (int chunk : new int[] {256 << 10, 2 << 20}) {
                    int depth = 16;
                    byte[][] bufs = new byte[depth][chunk];
                    long t0 = System.nanoTime();
                    List<CompletableFuture<Void>> window = new ArrayList<>();
                    long i = 0;
                    for (long off = 0; off < c.size(); off += chunk, i++) {
                        if (window.size() == depth) {
                            window.removeFirst().get();
                        }
                        window.add(c.readAsync(off, bufs[(int) (i % depth)], 0, chunk));
                    }
                    for (CompletableFuture<Void> f : window) {
                        f.get();
                    }
                    double s = (System.nanoTime() - t0) / 1e9;
                    System.out.printf("BENCH client<-server: 1 GiB in %d KiB reads, %d in flight: %.2f s = %.0f MiB/s%n",
                            chunk >> 10, depth, s, 1024 / s);
                }
                assertThat(c.stats().bytesRead()).isEqualTo(2L << 30);
            }
        }
    }
}
