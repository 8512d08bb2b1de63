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
     * Reads every chunk set in {@code chunks} and records its id in {@code index}.
     *
     * @param compareWith when not null (resync), a chunk whose id equals this index's is counted
     *     unchanged and not stored
     */
    DiskCaptureStats run(String machine, String disk, NbdClient nbd, BitSet chunks, long diskSize,
                         IndexBuilder index, DiskIndex compareWith, ProgressListener progress)
            throws IOException {
        int chunkSize = repo.chunkSize();
        DiskCaptureStats stats = new DiskCaptureStats(disk, diskSize);
        Semaphore window = new Semaphore(readsInFlight);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicLong done = new AtomicLong();
        long totalBytes = (long) chunks.cardinality() * chunkSize;
        String phase = "capturing " + disk;
        progress.progress(phase, 0, totalBytes);
        try {
            for (int i = chunks.nextSetBit(0); i >= 0 && failure.get() == null; i = chunks.nextSetBit(i + 1)) {
                long chunk = i;
                long offset = chunk * chunkSize;
                int length = ChunkMath.chunkLength(chunk, diskSize, chunkSize);
                window.acquire();
                limiter.acquire(length);
                nbd.readAsync(offset, length).whenCompleteAsync((data, readError) -> {
                    try {
                        if (readError != null) {
                            failure.compareAndSet(null, readError);
                            return;
                        }
                        if (failure.get() != null) {
                            return;
                        }
                        store(chunk, data, stats, index, compareWith);
                        progress.progress(phase, done.addAndGet(length), totalBytes);
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
            if (cause instanceof IOException io && cause.getMessage() != null && cause.getMessage().contains(disk)) {
                throw io;
            }
            throw new IOException("capture of disk " + disk + " of machine '" + machine + "' failed: "
                    + cause.getMessage() + (cause instanceof IOException ? "" : " (" + cause.getClass().getSimpleName() + ")")
                    + "; nothing was committed, the previous recovery points are intact; hint: fix the cause and run"
                    + " the capture again, chunks already stored are not sent again", cause);
        }
        return stats;
    }

    private void store(long chunk, byte[] data, DiskCaptureStats stats, IndexBuilder index, DiskIndex compareWith)
            throws IOException {
        stats.chunksRead.incrementAndGet();
        stats.bytesRead.addAndGet(data.length);
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
