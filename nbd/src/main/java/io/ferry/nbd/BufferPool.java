package io.ferry.nbd;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;

/**
 * Reusable direct buffers in power-of-two sizes (4 KiB to 32 MiB), a few per size, so
 * the server's read path neither allocates nor copies through a temporary buffer.
 */
final class BufferPool {
    private static final int MIN_SHIFT = 12;
    private static final int MAX_SHIFT = 25;
    private static final int KEEP_PER_SIZE = 8;

    private final List<ConcurrentLinkedDeque<ByteBuffer>> free = new ArrayList<>();

    BufferPool() {
        for (int i = MIN_SHIFT; i <= MAX_SHIFT; i++) {
            free.add(new ConcurrentLinkedDeque<>());
        }
    }

    /** A cleared direct buffer with position 0 and limit {@code size}. */
    ByteBuffer take(int size) {
        int shift = Math.max(MIN_SHIFT, 32 - Integer.numberOfLeadingZeros(Math.max(size, 1) - 1));
        if (shift > MAX_SHIFT) {
            return ByteBuffer.allocateDirect(size);
        }
        ByteBuffer b = free.get(shift - MIN_SHIFT).pollFirst();
        if (b == null) {
            b = ByteBuffer.allocateDirect(1 << shift);
        }
        b.clear().limit(size);
        return b;
    }

    void give(ByteBuffer b) {
        int cap = b.capacity();
        if (Integer.bitCount(cap) != 1 || cap < (1 << MIN_SHIFT) || cap > (1 << MAX_SHIFT)) {
            return;
        }
        ConcurrentLinkedDeque<ByteBuffer> q = free.get(Integer.numberOfTrailingZeros(cap) - MIN_SHIFT);
        if (q.size() < KEEP_PER_SIZE) {
            q.offerFirst(b);
        }
    }
}
