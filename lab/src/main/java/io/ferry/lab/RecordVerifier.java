package io.ferry.lab;

import io.ferry.hypervisor.HypervisorException;
import io.ferry.hypervisor.QemuImg;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Checks a disk written by the lab workload: it must hold a prefix of valid records 0..N-1 and
 * no valid record after slot N (a later record after a hole means writes were lost or reordered:
 * not a point-in-time copy). The whole disk is scanned; blocks without the magic are skipped
 * after an 8-byte compare.
 */
public final class RecordVerifier {
    private static final int CHUNK = 256 * RecordFormat.SIZE; // 1 MiB

    private RecordVerifier() {}

    /** Verifies a raw image file. */
    public static VerifyResult verify(Path rawImage) {
        try (FileChannel ch = FileChannel.open(rawImage, StandardOpenOption.READ)) {
            return verify(ch::read, ch.size());
        } catch (IOException e) {
            throw new UncheckedIOException("verify records of " + rawImage + ": " + e.getMessage()
                    + " (hint: the verifier reads raw images; use verifyQcow2 for qcow2)", e);
        }
    }

    /** Verifies through a channel (its position is changed). */
    public static VerifyResult verify(SeekableByteChannel ch) throws IOException {
        return verify((dst, offset) -> {
            ch.position(offset);
            return ch.read(dst);
        }, ch.size());
    }

    /** Verifies a qcow2 image: converts it to a temporary sparse raw file with qemu-img, then scans it. */
    public static VerifyResult verifyQcow2(Path qcow2) {
        Path tmp = null;
        try {
            tmp = Files.createTempFile("ferry-verify-", ".raw");
            QemuImg.convert(qcow2, "qcow2", tmp, "raw");
            return verify(tmp);
        } catch (IOException e) {
            throw new UncheckedIOException("verify records of " + qcow2 + ": " + e.getMessage(), e);
        } catch (HypervisorException e) {
            throw new HypervisorException("image " + qcow2, "verify records (qemu-img convert to raw)",
                    e.toolError(), "is the image in use by a running VM? destroy it first", e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // temp file
                }
            }
        }
    }

    /** Verifies {@code size} bytes read through {@code reader}. */
    public static VerifyResult verify(RandomRead reader, long size) throws IOException {
        long slots = size / RecordFormat.SIZE;
        ByteBuffer buf = ByteBuffer.allocateDirect(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
        long n = -1; // end of the valid prefix, once found
        long slot = 0;
        while (slot < slots) {
            int want = (int) Math.min(CHUNK / RecordFormat.SIZE, slots - slot) * RecordFormat.SIZE;
            buf.clear().limit(want);
            long offset = slot * RecordFormat.SIZE;
            while (buf.hasRemaining()) {
                int r = reader.read(buf, offset + buf.position());
                if (r < 0) break;
            }
            int got = buf.position() / RecordFormat.SIZE;
            if (got == 0) break;
            for (int i = 0; i < got; i++, slot++) {
                int off = i * RecordFormat.SIZE;
                if (n >= 0 && !RecordFormat.hasMagic(buf, off)) continue;
                RecordFormat.Check c = RecordFormat.check(buf, off, slot);
                if (n < 0) {
                    if (c == RecordFormat.Check.VALID) continue;
                    n = slot;
                }
                if (c == RecordFormat.Check.VALID) {
                    return new VerifyResult(n, false, "slot " + slot + " holds a valid record but slot " + n
                            + " does not: a hole in the record prefix (lost or reordered writes)");
                }
                if (c == RecordFormat.Check.MISPLACED) {
                    return new VerifyResult(n, false, "slot " + slot + " holds the record for seq "
                            + RecordFormat.seqAt(buf, off) + " (misplaced data)");
                }
            }
        }
        return VerifyResult.good(n < 0 ? slot : n);
    }
}
