package io.ferry.lab;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The lab workload's on-disk record, byte for byte as {@code workload.c} writes it. Record number
 * i lives at byte offset {@code i * 4096} of the disk:
 *
 * <pre>
 *   0..8       magic "FRYREC01" (ASCII)
 *   8..16      seq, u64 LE (== slot number i)
 *   16..24     boot id, u64 LE (random per boot)
 *   24..32     CLOCK_REALTIME in ns, u64 LE
 *   32..4088   payload: 507 u64 LE words of xorshift64*:
 *                x = (seq * 0x9E3779B97F4A7C15) ^ bootId; if x == 0: x = 0x9E3779B97F4A7C15
 *                per word: x ^= x >>> 12; x ^= x << 25; x ^= x >>> 27; word = x * 0x2545F4914F6CDD1D
 *   4088..4096 FNV-1a 64 over bytes 0..4088, u64 LE
 * </pre>
 *
 * A record is valid for slot i iff the magic, the checksum, {@code seq == i} and the payload match.
 */
public final class RecordFormat {
    public static final int SIZE = 4096;
    public static final int PAYLOAD_OFFSET = 32;
    public static final int CHECKSUM_OFFSET = 4088;
    public static final byte[] MAGIC = "FRYREC01".getBytes(StandardCharsets.US_ASCII);
    /** The magic as a little-endian long, for a fast first check. */
    static final long MAGIC_LE = ByteBuffer.wrap(MAGIC).order(ByteOrder.LITTLE_ENDIAN).getLong();

    private static final long GOLDEN = 0x9E3779B97F4A7C15L;
    private static final long XORSHIFT_MUL = 0x2545F4914F6CDD1DL;
    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;

    /** What a 4096-byte block holds, relative to the slot it was read from. */
    public enum Check {
        /** A valid record for this slot. */
        VALID,
        /** Not a record (zeros, other data, or a torn/corrupt record). */
        NOT_A_RECORD,
        /** A record intact in itself (magic and checksum) but for another slot. */
        MISPLACED
    }

    private RecordFormat() {}

    /** Writes record {@code seq} into {@code buf} at its position (which must have 4096 bytes left). */
    public static void write(ByteBuffer buf, long seq, long bootId, long realtimeNs) {
        ByteBuffer b = buf.slice().order(ByteOrder.LITTLE_ENDIAN);
        b.put(0, MAGIC);
        b.putLong(8, seq);
        b.putLong(16, bootId);
        b.putLong(24, realtimeNs);
        long x = seed(seq, bootId);
        for (int off = PAYLOAD_OFFSET; off < CHECKSUM_OFFSET; off += 8) {
            x ^= x >>> 12;
            x ^= x << 25;
            x ^= x >>> 27;
            b.putLong(off, x * XORSHIFT_MUL);
        }
        b.putLong(CHECKSUM_OFFSET, fnv1a(b, 0, CHECKSUM_OFFSET));
    }

    /** A record as a new 4096-byte array. */
    public static byte[] record(long seq, long bootId, long realtimeNs) {
        byte[] r = new byte[SIZE];
        write(ByteBuffer.wrap(r), seq, bootId, realtimeNs);
        return r;
    }

    /** Checks the 4096 bytes at {@code off} of {@code b} (absolute indexing) as slot {@code slot}. */
    public static Check check(ByteBuffer b, int off, long slot) {
        ByteBuffer le = b.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        if (le.getLong(off) != MAGIC_LE) return Check.NOT_A_RECORD;
        if (le.getLong(off + CHECKSUM_OFFSET) != fnv1a(le, off, CHECKSUM_OFFSET)) return Check.NOT_A_RECORD;
        long seq = le.getLong(off + 8);
        if (seq != slot) return Check.MISPLACED;
        long x = seed(seq, le.getLong(off + 16));
        for (int p = PAYLOAD_OFFSET; p < CHECKSUM_OFFSET; p += 8) {
            x ^= x >>> 12;
            x ^= x << 25;
            x ^= x >>> 27;
            if (le.getLong(off + p) != x * XORSHIFT_MUL) return Check.NOT_A_RECORD;
        }
        return Check.VALID;
    }

    /** The seq field of the block at {@code off} (meaningful only if it is a record). */
    public static long seqAt(ByteBuffer b, int off) {
        return b.duplicate().order(ByteOrder.LITTLE_ENDIAN).getLong(off + 8);
    }

    static boolean hasMagic(ByteBuffer le, int off) {
        return le.getLong(off) == MAGIC_LE;
    }

    private static long seed(long seq, long bootId) {
        long x = (seq * GOLDEN) ^ bootId;
        return x == 0 ? GOLDEN : x;
    }

    static long fnv1a(ByteBuffer b, int off, int len) {
        long h = FNV_OFFSET;
        for (int i = 0; i < len; i++) {
            h ^= b.get(off + i) & 0xff;
            h *= FNV_PRIME;
        }
        return h;
    }
}
