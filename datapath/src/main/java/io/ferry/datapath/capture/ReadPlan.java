package io.ferry.datapath.capture;

import io.ferry.datapath.ChunkMath;
import io.ferry.nbd.Extent;
import io.ferry.nbd.NbdClient;
import io.ferry.repository.ChunkId;
import io.ferry.repository.DiskIndex;
import io.ferry.repository.IndexBuilder;

import java.io.IOException;
import java.util.BitSet;
import java.util.List;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * Which bytes of a disk one capture reads: chunks read whole, and chunks of which only some
 * ranges changed. A partly changed chunk is read range by range and completed from the same
 * chunk of the parent point, so an incremental reads what the dirty bitmap marks (64 KiB
 * granularity) rather than whole chunks.
 */
final class ReadPlan {
    private final BitSet whole;
    /** chunk number → disk ranges as {start, length, start, length, …}, sorted, not adjacent. */
    private final TreeMap<Long, long[]> partial;

    private ReadPlan(BitSet whole, TreeMap<Long, long[]> partial) {
        this.whole = whole;
        this.partial = partial;
    }

    /** Every chunk touched by a selected extent is read whole. */
    static ReadPlan wholeChunks(List<Extent> extents, long diskSize, int chunkSize, Predicate<Extent> select) {
        return new ReadPlan(ChunkMath.chunksTouched(extents, diskSize, chunkSize, select), new TreeMap<>());
    }

    /** The meta context listing allocated and zero extents. */
    static final String BASE_ALLOCATION = "base:allocation";

    /**
     * Every chunk holding allocated, non-zero data as the server's {@code base:allocation}
     * says, or every chunk if the server does not say.
     */
    static ReadPlan allocated(NbdClient nbd, long diskSize, int chunkSize) throws IOException {
        if (!nbd.metaContexts().contains(BASE_ALLOCATION)) {
            return everything(diskSize, chunkSize);
        }
        return wholeChunks(nbd.blockStatus(BASE_ALLOCATION, 0, diskSize), diskSize, chunkSize, e -> !e.isZero());
    }

    /**
     * For a capture that reads every allocated chunk (full or resync) on top of {@code parent}:
     * a chunk this plan does not read is zero now, so where the parent had data the index is
     * told so explicitly.
     */
    void zeroUnread(IndexBuilder index, DiskIndex parent, long diskSize, int chunkSize) throws IOException {
        long n = Math.min(parent.chunkCount(), ChunkMath.chunkCount(diskSize, chunkSize));
        for (long i = 0; i < n; i++) {
            if (!touched(i) && !parent.chunk(i).isZero()) {
                index.set(i, ChunkId.ZERO);
            }
        }
    }

    private boolean touched(long chunk) {
        return whole.get((int) chunk) || partial.containsKey(chunk);
    }

    /** Every chunk of the disk is read whole. */
    static ReadPlan everything(long diskSize, int chunkSize) {
        BitSet all = new BitSet();
        all.set(0, (int) ChunkMath.chunkCount(diskSize, chunkSize));
        return new ReadPlan(all, new TreeMap<>());
    }

    /** Only the selected extents are read; chunks they cover entirely are read whole. */
    static ReadPlan ranges(List<Extent> extents, long diskSize, int chunkSize, Predicate<Extent> select) {
        TreeMap<Long, java.util.ArrayList<long[]>> byChunk = new TreeMap<>();
        for (Extent e : extents) {
            if (e.length() <= 0 || !select.test(e)) {
                continue;
            }
            long pos = e.offset();
            long end = Math.min(diskSize, e.offset() + e.length());
            while (pos < end) {
                long chunk = pos / chunkSize;
                long stop = Math.min(end, (chunk + 1) * chunkSize);
                var list = byChunk.computeIfAbsent(chunk, k -> new java.util.ArrayList<>());
                long[] last = list.isEmpty() ? null : list.get(list.size() - 1);
                if (last != null && last[0] + last[1] == pos) {
                    last[1] += stop - pos;
                } else {
                    list.add(new long[] {pos, stop - pos});
                }
                pos = stop;
            }
        }
        BitSet whole = new BitSet();
        TreeMap<Long, long[]> partial = new TreeMap<>();
        for (var entry : byChunk.entrySet()) {
            long chunk = entry.getKey();
            long covered = entry.getValue().stream().mapToLong(r -> r[1]).sum();
            if (covered >= ChunkMath.chunkLength(chunk, diskSize, chunkSize)) {
                whole.set((int) chunk);
            } else {
                long[] flat = new long[entry.getValue().size() * 2];
                for (int i = 0; i < entry.getValue().size(); i++) {
                    flat[2 * i] = entry.getValue().get(i)[0];
                    flat[2 * i + 1] = entry.getValue().get(i)[1];
                }
                partial.put(chunk, flat);
            }
        }
        return new ReadPlan(whole, partial);
    }

    BitSet whole() {
        return whole;
    }

    /** The changed ranges of a partly changed chunk, or null if the chunk is read whole or not at all. */
    long[] ranges(long chunk) {
        return partial.get(chunk);
    }

    /** All chunks to visit, in order. */
    BitSet touched() {
        BitSet all = (BitSet) whole.clone();
        for (long c : partial.keySet()) {
            all.set((int) c);
        }
        return all;
    }

    /** Bytes this plan reads from the disk. */
    long bytesToRead(long diskSize, int chunkSize) {
        long n = 0;
        for (int c = whole.nextSetBit(0); c >= 0; c = whole.nextSetBit(c + 1)) {
            n += ChunkMath.chunkLength(c, diskSize, chunkSize);
        }
        for (long[] r : partial.values()) {
            for (int i = 1; i < r.length; i += 2) {
                n += r[i];
            }
        }
        return n;
    }
}
