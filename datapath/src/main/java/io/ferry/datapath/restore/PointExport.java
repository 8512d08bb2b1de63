package io.ferry.datapath.restore;

import io.ferry.nbd.ExportSource;
import io.ferry.nbd.Extent;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * A recovery point's disk as a read-only NBD export. Zero chunks are reported as holes that
 * read as zeros ({@code base:allocation} flags HOLE|ZERO), so clients such as nbdcopy and
 * qemu-img skip them.
 */
public final class PointExport implements ExportSource {
    private static final int HOLE_ZERO = 3;

    private final PointDisk disk;

    public PointExport(PointDisk disk) {
        this.disk = disk;
    }

    @Override
    public long size() {
        return disk.size();
    }

    @Override
    public void read(long offset, ByteBuffer dst) throws IOException {
        int length = dst.remaining();
        if (dst.hasArray()) {
            disk.read(offset, dst.array(), dst.arrayOffset() + dst.position(), length);
            dst.position(dst.position() + length);
        } else {
            byte[] tmp = new byte[length];
            disk.read(offset, tmp, 0, length);
            dst.put(tmp);
        }
    }

    @Override
    public List<Extent> allocation(long offset, long length) throws IOException {
        List<Extent> out = new ArrayList<>();
        long end = Math.min(disk.size(), offset + length);
        int cs = disk.chunkSize();
        long pos = offset;
        while (pos < end) {
            long c = pos / cs;
            long chunkEnd = Math.min(end, (c + 1) * cs);
            int flags = disk.chunkId(c).isZero() ? HOLE_ZERO : 0;
            Extent last = out.isEmpty() ? null : out.get(out.size() - 1);
            if (last != null && last.flags() == flags) {
                out.set(out.size() - 1, new Extent(last.offset(), chunkEnd - last.offset(), flags));
            } else {
                out.add(new Extent(pos, chunkEnd - pos, flags));
            }
            pos = chunkEnd;
        }
        return out;
    }

    @Override
    public String description() {
        return "disk " + disk.name() + " of point " + disk.point().id() + " of machine '" + disk.point().machine() + "'";
    }
}
