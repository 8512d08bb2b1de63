package io.ferry.nbd;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Random;

/** Sparse test images with a known layout, and helpers to compare extents. */
final class TestData {
    static final int BLOCK = 64 << 10;

    private TestData() {}

    /** A sparse raw file of {@code blocks} 64 KiB blocks; the set bits got random data, the rest are holes. */
    record SparseImage(Path file, long size, BitSet dataBlocks, byte[] bytes) {
        /** Expected base:allocation extents: data = 0, hole = HOLE|ZERO. */
        List<Extent> expectedAllocation() {
            List<Extent> out = new ArrayList<>();
            for (int b = 0; b * (long) BLOCK < size; b++) {
                int flags = dataBlocks.get(b) ? 0 : 3;
                long off = (long) b * BLOCK;
                Extent last = out.isEmpty() ? null : out.getLast();
                if (last != null && last.flags() == flags) {
                    out.set(out.size() - 1, new Extent(last.offset(), last.length() + BLOCK, flags));
                } else {
                    out.add(new Extent(off, BLOCK, flags));
                }
            }
            return out;
        }
    }

    static SparseImage sparseRaw(Path file, int blocks, long seed) throws IOException {
        Random rnd = new Random(seed);
        long size = (long) blocks * BLOCK;
        byte[] all = new byte[(int) size];
        BitSet data = new BitSet();
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(size);
            for (int b = 0; b < blocks; b++) {
                // runs of data and holes; always keep the first and last block distinct patterns
                if (rnd.nextInt(3) != 0) {
                    data.set(b);
                    byte[] chunk = new byte[BLOCK];
                    rnd.nextBytes(chunk);
                    chunk[0] |= 1; // never an all-zero block
                    raf.seek((long) b * BLOCK);
                    raf.write(chunk);
                    System.arraycopy(chunk, 0, all, b * BLOCK, BLOCK);
                }
            }
        }
        return new SparseImage(file, size, data, all);
    }

    static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    static byte[] readFile(Path p) throws IOException {
        return Files.readAllBytes(p);
    }
}
