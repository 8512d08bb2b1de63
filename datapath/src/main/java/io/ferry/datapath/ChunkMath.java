package io.ferry.datapath;

import io.ferry.nbd.Extent;

import java.util.BitSet;
import java.util.List;

/** Maps byte extents of a disk onto fixed-size chunk numbers. */
public final class ChunkMath {
    private ChunkMath() { }

    public static long chunkCount(long diskSize, int chunkSize) {
        return (diskSize + chunkSize - 1) / chunkSize;
    }

    /** Length of chunk {@code index}: {@code chunkSize} except perhaps for the last one. */
    public static int chunkLength(long index, long diskSize, int chunkSize) {
        long start = index * chunkSize;
        return (int) Math.min(chunkSize, diskSize - start);
    }

    /**
     * Marks every chunk touched by an extent that {@code select} accepts.
     *
     * @throws IllegalArgumentException if the disk has more chunks than a BitSet can hold
     */
    public static BitSet chunksTouched(List<Extent> extents, long diskSize, int chunkSize,
                                       java.util.function.Predicate<Extent> select) {
        long count = chunkCount(diskSize, chunkSize);
        if (count > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("disk of " + diskSize + " bytes has too many chunks of " + chunkSize);
        }
        BitSet set = new BitSet((int) count);
        for (Extent e : extents) {
            if (e.length() <= 0 || !select.test(e)) {
                continue;
            }
            long first = e.offset() / chunkSize;
            long last = Math.min(count - 1, (e.offset() + e.length() - 1) / chunkSize);
            if (first <= last) {
                set.set((int) first, (int) last + 1);
            }
        }
        return set;
    }
}
