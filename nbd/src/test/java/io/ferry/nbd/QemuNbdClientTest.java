package io.ferry.nbd;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;

import static io.ferry.nbd.ExternalServer.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** NbdClient against a real qemu-nbd. */
class QemuNbdClientTest {
    @TempDir
    Path dir;

    @Test
    void readsRawImageWithHolesAndReportsAllocation() throws Exception {
        TestData.SparseImage img = TestData.sparseRaw(dir.resolve("disk.raw"), 256, 1);
        try (ExternalServer qemu = ExternalServer.qemuNbd(dir.resolve("s"), img.file(), "raw", "--read-only");
             NbdClient c = NbdClient.connect(qemu.address(), "", List.of("base:allocation"))) {
            assertThat(c.size()).isEqualTo(img.size());
            assertThat(c.readOnly()).isTrue();
            assertThat(c.structuredReplies()).isTrue();
            assertThat(c.metaContexts()).containsExactly("base:allocation");
            assertThat(c.maxBlockSize()).isGreaterThanOrEqualTo(1 << 20);
            assertThat(c.read(0, (int) img.size())).isEqualTo(img.bytes());
            assertRandomReadsMatch(c, img.bytes(), 300, 2);
            assertThat(c.stats().inFlightHighWater()).isGreaterThanOrEqualTo(32);
            assertThat(c.blockStatus("base:allocation", 0, img.size())).isEqualTo(img.expectedAllocation());
            // a sub-range starting mid-extent is clipped exactly
            List<Extent> part = c.blockStatus("base:allocation", 100_000, 1_000_000);
            assertThat(part.getFirst().offset()).isEqualTo(100_000);
            assertThat(part.getLast().end()).isEqualTo(1_100_000);
            assertThatThrownBy(() -> c.write(0, new byte[1], 0, 1)).isInstanceOf(NbdException.class)
                    .hasMessageContaining("read-only");
        }
    }

    @Test
    void readsQcow2ImageWithHoles() throws Exception {
        TestData.SparseImage img = TestData.sparseRaw(dir.resolve("disk.raw"), 160, 3);
        Path qcow2 = dir.resolve("disk.qcow2");
        run("qemu-img", "convert", "-f", "raw", "-O", "qcow2", img.file().toString(), qcow2.toString())
                .requireSuccess("qemu-img convert");
        try (ExternalServer qemu = ExternalServer.qemuNbd(dir.resolve("s"), qcow2, "qcow2", "--read-only");
             NbdClient c = NbdClient.connect(qemu.address(), "", List.of("base:allocation"))) {
            assertThat(c.size()).isEqualTo(img.size());
            assertThat(c.read(0, (int) img.size())).isEqualTo(img.bytes());
            assertRandomReadsMatch(c, img.bytes(), 200, 4);
            List<Extent> extents = c.blockStatus("base:allocation", 0, img.size());
            assertThat(extents).isEqualTo(img.expectedAllocation());
            for (Extent e : extents) { // every extent flagged zero really reads as zeroes
                if (e.isZero()) {
                    assertThat(c.read(e.offset(), (int) e.length())).containsOnly(0);
                }
            }
        }
    }

    @Test
    void dirtyBitmapReportsExactlyTheWrittenRange() throws Exception {
        Path qcow2 = dir.resolve("d.qcow2");
        run("qemu-img", "create", "-f", "qcow2", qcow2.toString(), "4M").requireSuccess("qemu-img create");
        run("qemu-img", "bitmap", "--add", "--enable", qcow2.toString(), "b0").requireSuccess("qemu-img bitmap");
        run("qemu-io", "-f", "qcow2", "-c", "write -P 0xab 1M 64k", qcow2.toString()).requireSuccess("qemu-io");
        String ctx = "qemu:dirty-bitmap:b0";
        try (ExternalServer qemu = ExternalServer.qemuNbd(dir.resolve("s"), qcow2, "qcow2", "--read-only", "--bitmap=b0");
             NbdClient c = NbdClient.connect(qemu.address(), "", List.of("base:allocation", ctx))) {
            assertThat(c.metaContexts()).containsExactlyInAnyOrder("base:allocation", ctx);
            assertThat(c.blockStatus(ctx, 0, c.size())).containsExactly(
                    new Extent(0, 1 << 20, 0),
                    new Extent(1 << 20, 64 << 10, 1),
                    new Extent((1 << 20) + (64 << 10), c.size() - (1 << 20) - (64 << 10), 0));
            assertThat(c.blockStatus(ctx, 0, c.size()).get(1).isDirty()).isTrue();
            byte[] data = c.read(1 << 20, 64 << 10);
            assertThat(data).containsOnly((byte) 0xab);
            assertThat(c.read(0, 1 << 20)).containsOnly(0);
            List<Extent> alloc = c.blockStatus("base:allocation", 0, c.size());
            assertThat(alloc).contains(new Extent(1 << 20, 64 << 10, 0));
        }
    }

    @Test
    void missingBitmapContextIsExplained() throws Exception {
        Path raw = dir.resolve("r.raw");
        Files.write(raw, new byte[1 << 20]);
        try (ExternalServer qemu = ExternalServer.qemuNbd(dir.resolve("s"), raw, "raw", "--read-only");
             NbdClient c = NbdClient.connect(qemu.address(), "", List.of("qemu:dirty-bitmap:nope"))) {
            assertThat(c.metaContexts()).isEmpty();
            assertThatThrownBy(() -> c.blockStatus("qemu:dirty-bitmap:nope", 0, 4096))
                    .isInstanceOf(NbdException.class)
                    .hasMessageContaining("'qemu:dirty-bitmap:nope' was not negotiated")
                    .hasMessageContaining("qemu-nbd --bitmap");
        }
    }

    @Test
    void writesWriteZeroesTrimAndFlushReachTheFile() throws Exception {
        Path raw = dir.resolve("w.raw");
        int size = 8 << 20;
        byte[] initial = TestData.random(size, 5);
        Files.write(raw, initial);
        byte[] expected = initial.clone();
        try (ExternalServer qemu = ExternalServer.qemuNbd(dir.resolve("s"), raw, "raw", "--cache=writethrough");
             NbdClient c = NbdClient.connect(qemu.address(), "", List.of())) {
            assertThat(c.readOnly()).isFalse();
            byte[] a = TestData.random(1_000_003, 6);
            c.write(100_001, a, 0, a.length);
            System.arraycopy(a, 0, expected, 100_001, a.length);
            // many pipelined writes
            List<CompletableFuture<Void>> fs = new ArrayList<>();
            byte[] b = TestData.random(64 << 10, 7);
            for (int i = 0; i < 40; i++) {
                long off = (2L << 20) + i * (64L << 10);
                fs.add(c.writeAsync(off, b, 0, b.length));
                System.arraycopy(b, 0, expected, (int) off, b.length);
            }
            CompletableFuture.allOf(fs.toArray(CompletableFuture[]::new)).get();
            c.writeZeroes(200_000, 50_000, false);
            Arrays.fill(expected, 200_000, 250_000, (byte) 0);
            c.writeZeroes(5 << 20, 1 << 20, true);
            Arrays.fill(expected, 5 << 20, 6 << 20, (byte) 0);
            c.trim(7 << 20, 64 << 10); // contents of the trimmed range are unspecified
            c.flush();
            byte[] viaNbd = c.read(0, size);
            byte[] viaFile = Files.readAllBytes(raw);
            System.arraycopy(viaFile, 7 << 20, expected, 7 << 20, 64 << 10);
            System.arraycopy(viaNbd, 7 << 20, expected, 7 << 20, 64 << 10);
            assertThat(viaNbd).isEqualTo(expected);
            assertThat(Files.readAllBytes(raw)).isEqualTo(expected);
            assertThat(c.stats().bytesWritten()).isEqualTo(a.length + 40L * b.length);
        }
    }

    @Test
    void unknownExportNamesTheUriAndHowToList() throws Exception {
        Path raw = dir.resolve("r.raw");
        Files.write(raw, new byte[1 << 20]);
        Path sock = dir.resolve("s");
        try (ExternalServer qemu = ExternalServer.qemuNbd(sock, raw, "raw", "--read-only", "-x", "disk")) {
            assertThatThrownBy(() -> NbdClient.connect(qemu.address(), "nope", List.of()))
                    .isInstanceOf(NbdException.class)
                    .hasMessageContaining("export 'nope' not found on nbd+unix:///nope?socket=" + sock)
                    .hasMessageContaining("nbdinfo --list");
            try (NbdClient c = NbdClient.connect(qemu.address(), "disk", List.of())) {
                assertThat(c.size()).isEqualTo(1 << 20);
            }
        }
    }

    @Test
    void connectingToAMissingSocketGivesAHint() {
        assertThatThrownBy(() -> NbdClient.connect(new NbdAddress.Unix(dir.resolve("none")), "", List.of()))
                .isInstanceOf(NbdException.class)
                .hasMessageContaining("cannot connect to nbd+unix:///?socket=")
                .hasMessageContaining("is the NBD server running");
    }

    static void assertRandomReadsMatch(NbdClient c, byte[] expected, int count, long seed) throws Exception {
        Random rnd = new Random(seed);
        List<CompletableFuture<byte[]>> fs = new ArrayList<>();
        List<long[]> ranges = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int len = 1 + rnd.nextInt(1 << 20);
            long off = (long) (rnd.nextDouble() * (expected.length - len));
            ranges.add(new long[] {off, len});
            fs.add(c.readAsync(off, len));
        }
        for (int i = 0; i < count; i++) {
            int off = (int) ranges.get(i)[0];
            int len = (int) ranges.get(i)[1];
            byte[] got = fs.get(i).get();
            if (!Arrays.equals(got, 0, len, expected, off, off + len)) {
                throw new AssertionError("read " + i + " at offset " + off + " length " + len + " returned wrong bytes");
            }
        }
    }
}
