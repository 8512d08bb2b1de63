package io.ferry.nbd;

import io.ferry.nbd.protocol.Errno;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/** NbdClient against a real nbdkit. */
class NbdkitClientTest {
    @TempDir
    Path dir;

    @Test
    void memoryPluginRoundTripsWritesZeroesTrimAndAllocation() throws Exception {
        try (ExternalServer kit = ExternalServer.nbdkit(dir.resolve("s"), "memory", "64M");
             NbdClient c = NbdClient.connect(kit.address(), "", List.of("base:allocation"))) {
            assertThat(c.size()).isEqualTo(64L << 20);
            assertThat(c.readOnly()).isFalse();
            assertThat(c.blockStatus("base:allocation", 0, c.size())).containsExactly(new Extent(0, 64L << 20, 3));
            byte[] a = TestData.random(3 << 20, 11);
            c.write(10 << 20, a, 0, a.length);
            c.writeZeroes((10 << 20) + 4096, 8192, false);
            c.flush();
            byte[] back = c.read(10 << 20, a.length);
            java.util.Arrays.fill(a, 4096, 4096 + 8192, (byte) 0);
            assertThat(back).isEqualTo(a);
            List<Extent> alloc = c.blockStatus("base:allocation", 0, c.size());
            assertThat(alloc.getFirst()).isEqualTo(new Extent(0, 10 << 20, 3));
            assertThat(alloc).anySatisfy(e -> assertThat(e.flags()).isZero());
            c.trim(10 << 20, 3 << 20);
            assertThat(c.read(0, 1 << 20)).containsOnly(0);
        }
    }

    @Test
    void patternPluginReadsAreCorrectWithManyInFlight() throws Exception {
        try (ExternalServer kit = ExternalServer.nbdkit(dir.resolve("s"), "pattern", "1G");
             NbdClient c = NbdClient.connect(kit.address(), "", List.of())) {
            assertThat(c.size()).isEqualTo(1L << 30);
            Random rnd = new Random(12);
            List<CompletableFuture<byte[]>> fs = new ArrayList<>();
            List<Long> offs = new ArrayList<>();
            for (int i = 0; i < 256; i++) {
                long off = rnd.nextLong(c.size() - (1 << 20));
                offs.add(off);
                fs.add(c.readAsync(off, 1 + rnd.nextInt(1 << 20)));
            }
            for (int i = 0; i < fs.size(); i++) {
                assertPattern(offs.get(i), fs.get(i).get());
            }

            // sequential throughput of the client: 1 GiB in 2 MiB reads, 16 in flight
            int chunk = 2 << 20;
            long t0 = System.nanoTime();
            List<CompletableFuture<Void>> window = new ArrayList<>();
            byte[][] bufs = new byte[16][chunk];
            for (long off = 0, i = 0; off < c.size(); off += chunk, i++) {
                if (window.size() == 16) {
                    window.removeFirst().get();
                }
                window.add(c.readAsync(off, bufs[(int) (i % 16)], 0, chunk));
            }
            for (CompletableFuture<Void> f : window) {
                f.get();
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            System.out.printf("client read 1 GiB from nbdkit pattern in %.2f s = %.0f MiB/s%n", secs, 1024 / secs);
        }
    }

    @Test
    void slowServerSeesManyRequestsInFlightAndAnswersThemInParallel() throws Exception {
        try (ExternalServer kit = ExternalServer.nbdkit(dir.resolve("s"), "--filter=delay", "pattern", "16M", "rdelay=50ms");
             NbdClient c = NbdClient.connect(kit.address(), "", List.of())) {
            long t0 = System.nanoTime();
            List<CompletableFuture<byte[]>> fs = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                fs.add(c.readAsync(i * 100_000L, 4096));
            }
            for (int i = 0; i < 64; i++) {
                assertPattern(i * 100_000L, fs.get(i).get());
            }
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertThat(c.stats().inFlightHighWater()).isGreaterThanOrEqualTo(32);
            assertThat(ms).as("64 reads of 50 ms each must overlap").isLessThan(64 * 50 / 2);
        }
    }

    static void assertPattern(long offset, byte[] data) {
        // nbdkit pattern: each 8-byte aligned offset holds its own offset, big-endian
        ByteBuffer expected = ByteBuffer.allocate(data.length + 16);
        long first = offset & ~7L;
        for (long o = first; o < offset + data.length + 8; o += 8) {
            if (expected.remaining() < 8) {
                break;
            }
            expected.putLong(o);
        }
        byte[] exp = new byte[data.length];
        expected.get((int) (offset - first), exp, 0, data.length);
        assertThat(data).as("pattern at offset %d", offset).isEqualTo(exp);
    }

    @Test
    void dataPlugin() throws Exception {
        try (ExternalServer kit = ExternalServer.nbdkit(dir.resolve("s"), "data", "data=1 2 3 @4096 4 5 6", "size=1M");
             NbdClient c = NbdClient.connect(kit.address(), "", List.of("base:allocation"))) {
            assertThat(c.size()).isEqualTo(1 << 20);
            byte[] b = c.read(0, 8192);
            assertThat(b[0]).isEqualTo((byte) 1);
            assertThat(b[2]).isEqualTo((byte) 3);
            assertThat(b[4096]).isEqualTo((byte) 4);
            assertThat(b[4098]).isEqualTo((byte) 6);
            assertThat(b[4099]).isZero();
            List<Extent> e = c.blockStatus("base:allocation", 0, c.size());
            assertThat(e.getFirst().offset()).isZero();
            assertThat(e.getLast().end()).isEqualTo(1 << 20);
        }
    }

    @Test
    void serverErrorsFailOnlyTheRequestAndCarryTheErrno() throws Exception {
        Path trigger = dir.resolve("fail-now");
        try (ExternalServer kit = ExternalServer.nbdkit(dir.resolve("s"), "--filter=error", "pattern", "16M",
                "error-pread=EIO", "error-pread-rate=100%", "error-pread-file=" + trigger);
             NbdClient c = NbdClient.connect(kit.address(), "", List.of())) {
            assertPattern(4096, c.read(4096, 4096));
            Files.createFile(trigger);
            assertThatThrownBy(() -> c.read(8192, 4096))
                    .isInstanceOfSatisfying(NbdException.class, e -> {
                        assertThat(e.errno()).isEqualTo(Errno.EIO);
                        assertThat(e.errnoName()).isEqualTo("EIO");
                    })
                    .hasMessageContaining("NBD_CMD_READ offset=8192 length=4096 failed on the server: EIO")
                    .hasMessageContaining("nbd+unix:///?socket=");
            Files.delete(trigger);
            assertPattern(8192, c.read(8192, 4096)); // same connection still works
        }
    }

    @Test
    void writeZeroesFallsBackToWritesWithoutServerSupport() throws Exception {
        try (ExternalServer kit = ExternalServer.nbdkit(dir.resolve("s"), "--filter=nozero", "memory", "8M");
             NbdClient c = NbdClient.connect(kit.address(), "", List.of())) {
            assertThat(c.transmissionFlags() & io.ferry.nbd.protocol.NbdConstants.TFLAG_SEND_WRITE_ZEROES).isZero();
            byte[] a = TestData.random(4 << 20, 13);
            c.write(0, a, 0, a.length);
            long before = c.stats().bytesWritten();
            c.writeZeroes(1000, 3 << 20, true);
            assertThat(c.stats().bytesWritten() - before).isEqualTo(3 << 20);
            java.util.Arrays.fill(a, 1000, 1000 + (3 << 20), (byte) 0);
            assertThat(c.read(0, a.length)).isEqualTo(a);
        }
    }

    @Test
    void requestsAboveTheMaximumBlockSizeAreSplit() throws Exception {
        try (ExternalServer kit = ExternalServer.nbdkit(dir.resolve("s"), "--filter=blocksize-policy", "pattern", "16M",
                "blocksize-maximum=65536", "blocksize-error-policy=error");
             NbdClient c = NbdClient.connect(kit.address(), "", List.of())) {
            assertThat(c.maxBlockSize()).isEqualTo(65536);
            long before = c.stats().requests();
            assertPattern(12345, c.read(12345, 1 << 20));
            assertThat(c.stats().requests() - before).isGreaterThanOrEqualTo(16);
        }
    }

    @Test
    void silentServerTimesOutAndFailsAllInFlight() throws Exception {
        try (ExternalServer kit = ExternalServer.nbdkit(dir.resolve("s"), "--filter=delay", "pattern", "16M", "rdelay=20")) {
            assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
                try (NbdClient c = NbdClient.connect(kit.address(), "", List.of(),
                        NbdClient.Options.defaults().withTimeout(Duration.ofSeconds(1)))) {
                    CompletableFuture<byte[]> a = c.readAsync(0, 4096);
                    CompletableFuture<byte[]> b = c.readAsync(4096, 4096);
                    assertThatThrownBy(() -> a.get(8, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                            .cause().isInstanceOf(NbdException.class).hasMessageContaining("no reply from the server for 1000 ms");
                    assertThatThrownBy(() -> b.get(1, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                            .cause().isInstanceOf(NbdException.class);
                    assertThatThrownBy(() -> c.read(0, 1)).isInstanceOf(NbdException.class)
                            .hasMessageContaining("connection is dead");
                }
            });
        }
    }

    @Test
    void serverDyingMidRequestFailsTheRequestQuickly() throws Exception {
        try (ExternalServer kit = ExternalServer.nbdkit(dir.resolve("s"), "--filter=delay", "pattern", "16M", "rdelay=20")) {
            assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
                try (NbdClient c = NbdClient.connect(kit.address(), "", List.of())) {
                    CompletableFuture<byte[]> a = c.readAsync(0, 4096);
                    Thread.sleep(200);
                    kit.process.destroyForcibly();
                    assertThatThrownBy(() -> a.get(8, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                            .cause().isInstanceOf(NbdException.class)
                            .hasMessageContaining("server closed the connection with 1 request(s) in flight");
                }
            });
        }
    }
}
