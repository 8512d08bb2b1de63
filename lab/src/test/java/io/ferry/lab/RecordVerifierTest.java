package io.ferry.lab;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecordVerifierTest {
    static final long SIZE = 8L << 20; // 2048 slots
    @TempDir Path dir;

    Path image(long... slots) throws IOException {
        Path p = dir.resolve("disk-" + System.nanoTime() + ".raw");
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ch.truncate(SIZE);
            ch.write(ByteBuffer.allocate(1), SIZE - 1);
            for (long s : slots) ch.write(ByteBuffer.wrap(RecordFormat.record(s, 0x1234L + s / 100, s * 1000)), s * 4096);
        }
        return p;
    }

    static long[] range(long from, long to) {
        long[] r = new long[(int) (to - from)];
        for (int i = 0; i < r.length; i++) r[i] = from + i;
        return r;
    }

    void put(Path p, long offset, byte[] data) throws IOException {
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(data), offset);
        }
    }

    @Test
    void emptyDiskHasNoRecords() throws IOException {
        assertThat(RecordVerifier.verify(image())).isEqualTo(new VerifyResult(0, true, null));
    }

    @Test
    void goodPrefix() throws IOException {
        assertThat(RecordVerifier.verify(image(range(0, 500)))).isEqualTo(new VerifyResult(500, true, null));
    }

    @Test
    void wholeDiskFull() throws IOException {
        assertThat(RecordVerifier.verify(image(range(0, SIZE / 4096))).records()).isEqualTo(SIZE / 4096);
    }

    @Test
    void tornLastRecordEndsThePrefixButIsOk() throws IOException {
        Path p = image(range(0, 300));
        byte[] torn = RecordFormat.record(300, 7, 7);
        java.util.Arrays.fill(torn, 2048, 4096, (byte) 0); // only the first half reached the disk
        put(p, 300 * 4096L, torn);
        assertThat(RecordVerifier.verify(p)).isEqualTo(new VerifyResult(300, true, null));
    }

    @Test
    void corruptRecordInTheMiddleIsAHole() throws IOException {
        Path p = image(range(0, 300));
        put(p, 100 * 4096L + 1000, new byte[] {42});
        VerifyResult r = RecordVerifier.verify(p);
        assertThat(r.records()).isEqualTo(100);
        assertThat(r.ok()).isFalse();
        assertThat(r.problem()).contains("slot 101").contains("slot 100");
    }

    @Test
    void holeWithALaterRecordIsNotOk() throws IOException {
        long[] slots = new long[301];
        System.arraycopy(range(0, 300), 0, slots, 0, 300);
        slots[300] = 1900; // far away, in another read chunk
        VerifyResult r = RecordVerifier.verify(image(slots));
        assertThat(r.records()).isEqualTo(300);
        assertThat(r.ok()).isFalse();
        assertThat(r.problem()).contains("slot 1900");
    }

    @Test
    void misplacedRecordIsNotOk() throws IOException {
        Path p = image(range(0, 10));
        put(p, 50 * 4096L, RecordFormat.record(3, 1, 1)); // a copy of record 3 at slot 50
        VerifyResult r = RecordVerifier.verify(p);
        assertThat(r.ok()).isFalse();
        assertThat(r.problem()).contains("slot 50").contains("seq 3");
    }

    @Test
    void verifiesThroughOtherReaders() throws IOException {
        Path p = image(range(0, 77));
        try (FileChannel ch = FileChannel.open(p)) {
            assertThat(RecordVerifier.verify(ch).records()).isEqualTo(77);
            // a reader returning short reads still works
            RandomRead shortReads = (dst, off) -> {
                ByteBuffer small = dst.slice().limit(Math.min(dst.remaining(), 1000));
                int n = ch.read(small, off);
                if (n > 0) dst.position(dst.position() + n);
                return n;
            };
            assertThat(RecordVerifier.verify(shortReads, ch.size())).isEqualTo(new VerifyResult(77, true, null));
        }
    }

    @Test
    void recordLayoutMatchesTheSpec() {
        byte[] r = RecordFormat.record(5, 0xABCDEFL, 99);
        ByteBuffer b = ByteBuffer.wrap(r).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        assertThat(new String(r, 0, 8, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("FRYREC01");
        assertThat(b.getLong(8)).isEqualTo(5);
        assertThat(b.getLong(16)).isEqualTo(0xABCDEFL);
        assertThat(b.getLong(24)).isEqualTo(99);
        long x = (5 * 0x9E3779B97F4A7C15L) ^ 0xABCDEFL;
        x ^= x >>> 12;
        x ^= x << 25;
        x ^= x >>> 27;
        assertThat(b.getLong(32)).isEqualTo(x * 0x2545F4914F6CDD1DL);
        assertThat(b.getLong(4088)).isEqualTo(RecordFormat.fnv1a(b, 0, 4088));
        assertThat(RecordFormat.check(b, 0, 5)).isEqualTo(RecordFormat.Check.VALID);
        assertThat(RecordFormat.check(b, 0, 6)).isEqualTo(RecordFormat.Check.MISPLACED);
    }

    @Test
    void scansQuickly() throws IOException {
        Path p = dir.resolve("big.raw");
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.allocate(1), (256L << 20) - 1);
        }
        long t = System.nanoTime();
        assertThat(RecordVerifier.verify(p).records()).isZero();
        assertThat(Files.size(p)).isEqualTo(256L << 20);
        assertThat((System.nanoTime() - t) / 1_000_000).isLessThan(5_000);
    }
}
