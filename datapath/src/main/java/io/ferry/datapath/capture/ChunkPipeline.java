package io.ferry.datapath.capture;

import io.ferry.datapath.ChunkMath;
import io.ferry.repository.ProgressListener;
import io.ferry.datapath.RateLimiter;
import io.ferry.nbd.NbdClient;
import io.ferry.repository.ChunkId;
import io.ferry.repository.DiskIndex;
import io.ferry.repository.IndexBuilder;
import io.ferry.repository.Repository;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.util.BitSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Reads the selected chunks of one disk over NBD with several requests in flight and hands
 * each to a worker that hashes it, and stores it unless the repository already has it.
 */
final class ChunkPipeline {
    private final Repository repo;
    private final ExecutorService workers;
    private final int readsInFlight;
    private final RateLimiter limiter;

    ChunkPipeline(Repository repo, ExecutorService workers, int readsInFlight, RateLimiter limiter) {
        this.repo = repo;
        this.limiter = limiter;
        this.workers = workers;
        this.readsInFlight = readsInFlight;
    }

    /**
     * Reads what {@code plan} names and records the id of every chunk it touches in {@code index}.
     *
     * @param compareWith when not null (resync), a chunk whose id equals this index's is counted
     *     unchanged and not stored
     * @param patchBase the parent point's index, from which the unchanged ranges of partly
     *     changed chunks are taken (required when the plan has any)
     */
    DiskCaptureStats run(String machine, String disk, NbdClient nbd, ReadPlan plan, long diskSize,
                         IndexBuilder index, DiskIndex compareWith, DiskIndex patchBase, ProgressListener progress)
            throws IOException {
        int chunkSize = repo.chunkSize();
        DiskCaptureStats stats = new DiskCaptureStats(disk, diskSize);
        Semaphore window = new Semaphore(readsInFlight);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicLong done = new AtomicLong();
        long totalBytes = plan.bytesToRead(diskSize, chunkSize);
        String phase = "capturing " + disk;
        progress.progress(phase, 0, totalBytes);
        BitSet touched = plan.touched();
        try {
            for (int i = touched.nextSetBit(0); i >= 0 && failure.get() == null; i = touched.nextSetBit(i + 1)) {
                long chunk = i;
                int length = ChunkMath.chunkLength(chunk, diskSize, chunkSize);
                long[] ranges = plan.ranges(chunk);
                window.acquire();
                byte[] data = new byte[length];
                long toRead = ranges == null ? length : sum(ranges);
                limiter.acquire(toRead);
                readInto(nbd, chunk * chunkSize, data, ranges).whenCompleteAsync((ok, readError) -> {
                    try {
                        if (readError != null) {
                            failure.compareAndSet(null, readError);
                            return;
                        }
                        if (failure.get() != null) {
                            return;
                        }
                        stats.bytesRead.addAndGet(toRead);
                        if (ranges != null) {
                            fillFromParent(disk, chunk, data, ranges, patchBase, stats);
                        }
                        store(chunk, data, stats, index, compareWith);
                        progress.progress(phase, done.addAndGet(toRead), totalBytes);
                    } catch (Throwable t) {
                        failure.compareAndSet(null, t);
                    } finally {
                        window.release();
                    }
                }, workers);
            }
            window.acquire(readsInFlight);
            window.release(readsInFlight);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("capture of disk " + disk + " of machine '" + machine + "' interrupted");
        }
        Throwable t = failure.get();
        if (t != null) {
            Throwable cause = t instanceof java.util.concurrent.CompletionException && t.getCause() != null ? t.getCause() : t;
            throw new IOException("capture of disk " + disk + " of machine '" + machine + "' failed: "
                    + cause.getMessage() + (cause instanceof IOException ? "" : " (" + cause.getClass().getSimpleName() + ")")
                    + "; nothing was committed, the previous recovery points are intact; hint: fix the cause and run"
                    + " the capture again, chunks already stored are not sent again", cause);
        }
        return stats;
    }

    private static long sum(long[] ranges) {
        long n = 0;
        for (int i = 1; i < ranges.length; i += 2) {
            n += ranges[i];
        }
        return n;
    }

    /** Reads the whole chunk, or only its changed ranges, into {@code data}. */
    private static CompletableFuture<Void> readInto(NbdClient nbd, long chunkStart, byte[] data, long[] ranges) {
        if (ranges == null) {
            return nbd.readAsync(chunkStart, data, 0, data.length);
        }
        CompletableFuture<?>[] parts = new CompletableFuture<?>[ranges.length / 2];
        for (int r = 0; r < parts.length; r++) {
            long start = ranges[2 * r];
            parts[r] = nbd.readAsync(start, data, (int) (start - chunkStart), (int) ranges[2 * r + 1]);
        }
        return CompletableFuture.allOf(parts);
    }

    /** Completes a partly read chunk with the parent point's bytes outside the changed ranges. */
    private void fillFromParent(String disk, long chunk, byte[] data, long[] ranges, DiskIndex parent,
                                DiskCaptureStats stats) throws IOException {
        if (parent == null) {
            throw new IllegalStateException("disk " + disk + ": partly changed chunk " + chunk + " without a parent point");
        }
        ChunkId parentId = parent.chunk(chunk);
        if (parentId.isZero()) {
            return; // the array is already zero outside the ranges just read
        }
        byte[] base = repo.readChunk(parentId);
        stats.parentChunksRead.incrementAndGet();
        long chunkStart = chunk * (long) repo.chunkSize();
        int pos = 0;
        for (int r = 0; r <= ranges.length; r += 2) {
            int gapEnd = r < ranges.length ? (int) (ranges[r] - chunkStart) : data.length;
            int copyEnd = Math.min(gapEnd, base.length);
            if (copyEnd > pos) {
                System.arraycopy(base, pos, data, pos, copyEnd - pos);
            }
            if (r < ranges.length) {
                pos = (int) (ranges[r] - chunkStart + ranges[r + 1]);
            }
        }
    }

    private void store(long chunk, byte[] data, DiskCaptureStats stats, IndexBuilder index, DiskIndex compareWith)
            throws IOException {
        stats.chunksRead.incrementAndGet();
        ByteBuffer buf = ByteBuffer.wrap(data);
        ChunkId id = repo.chunkId(buf);
        index.set(chunk, id);
        if (id.isZero()) {
            stats.zeroChunks.incrementAndGet();
            return;
        }
        if (compareWith != null && chunk < compareWith.chunkCount() && id.equals(compareWith.chunk(chunk))) {
            stats.unchangedChunks.incrementAndGet();
            return;
        }
        if (repo.hasChunk(id)) {
            stats.chunksAlreadyStored.incrementAndGet();
            return;
        }
        long stored = repo.putChunk(id, ByteBuffer.wrap(data));
        if (stored > 0) {
            stats.chunksStored.incrementAndGet();
            stats.bytesStored.addAndGet(stored);
            stats.plainBytesStored.addAndGet(data.length);
        } else {
            stats.chunksAlreadyStored.incrementAndGet();
        }
    }
}
