package io.ferry.nbd;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * An in-memory {@link ExportSource}: all-zero 64 KiB blocks are reported as holes.
 * Reads overlapping {@code [failFrom, failTo)} throw, to test error replies.
 */
final class MemorySource implements ExportSource {
    final byte[] data;
    private final long failFrom;
    private final long failTo;

    MemorySource(byte[] data) {
        this(data, -1, -1);
    }

    MemorySource(byte[] data, long failFrom, long failTo) {
        this.data = data;
        this.failFrom = failFrom;
        this.failTo = failTo;
    }

    @Override
    public long size() {
        return data.length;
    }

    @Override
    public void read(long offset, ByteBuffer dst) throws IOException {
        int n = dst.remaining();
        if (offset < failTo && offset + n > failFrom) {
            throw new IOException("simulated media error at [" + failFrom + ", " + failTo + ")");
        }
        dst.put(data, (int) offset, n);
    }

    @Override
    public List<Extent> allocation(long offset, long length) {
        List<Extent> out = new ArrayList<>();
        long end = Math.min(offset + length, data.length);
        long cursor = offset;
        while (cursor < end) {
            long blockEnd = Math.min(end, (cursor / TestData.BLOCK + 1) * TestData.BLOCK);
            int flags = isZero(cursor, blockEnd) ? 3 : 0;
            Extent last = out.isEmpty() ? null : out.getLast();
            if (last != null && last.flags() == flags) {
                out.set(out.size() - 1, new Extent(last.offset(), blockEnd - last.offset(), flags));
            } else {
                out.add(new Extent(cursor, blockEnd - cursor, flags));
            }
            cursor = blockEnd;
        }
        return out;
    }

    private boolean isZero(long from, long to) {
        for (long i = from; i < to; i++) {
            if (data[(int) i] != 0) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String description() {
        return "test memory source";
    }
}
