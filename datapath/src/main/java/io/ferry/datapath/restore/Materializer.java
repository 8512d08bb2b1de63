package io.ferry.datapath.restore;

import io.ferry.datapath.ChunkMath;
import io.ferry.repository.ProgressListener;
import io.ferry.hypervisor.QemuImg;
import io.ferry.repository.ChunkId;
import io.ferry.repository.Repository;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Writes one disk of a recovery point into an image: a new one (only non-zero chunks are
 * written, the rest stays sparse), or in place into an existing one, where each chunk of the
 * target is hashed and only chunks whose digest differs from the point's are written.
 */
public final class Materializer {
    private final Repository repo;
    private final int workers;

    public Materializer(Repository repo, int workers) {
        if (workers < 1) {
            throw new IllegalArgumentException("workers must be >= 1");
        }
        this.repo = repo;
        this.workers = workers;
    }

    /** Creates {@code file} (which must not exist) and writes the point's disk into it. */
    public RestoreResult toNewImage(PointDisk disk, Path file, ImageFormat format, ProgressListener progress)
            throws IOException {
        if (Files.exists(file)) {
            throw new IOException("restore of disk " + disk.name() + " of point " + disk.point().id() + ": " + file
                    + " already exists; hint: choose a new file, or restore in place with --in-place");
        }
        boolean ok = false;
        try {
            DiskTarget target;
            if (format == ImageFormat.RAW) {
                target = RawFileTarget.create(file, disk.size());
            } else {
                QemuImg.create(file, format.qemuName(), disk.size());
                target = NbdTarget.open(file, format.qemuName());
            }
            RestoreResult r;
            try (target) {
                r = run(disk, target, false, false, progress);
            }
            ok = true;
            return r;
        } finally {
            if (!ok) {
                Files.deleteIfExists(file); // never leave a half-written image that looks complete
            }
        }
    }

    /**
     * Makes {@code target} equal to the point's disk, writing only chunks whose digest differs.
     * The target must have the disk's size.
     */
    public RestoreResult inPlace(PointDisk disk, DiskTarget target, ProgressListener progress) throws IOException {
        long size = target.size();
        if (size != disk.size()) {
            throw new IOException("in-place restore of disk " + disk.name() + " of point " + disk.point().id()
                    + " into " + target.describe() + ": the target has " + size + " bytes, the point " + disk.size()
                    + "; nothing was written; hint: resize the target (qemu-img resize) or restore to a new image");
        }
        return run(disk, target, true, true, progress);
    }

    /**
     * Makes {@code target} equal to the point's disk by writing every chunk (zeros as write-zeroes),
     * reading nothing from it: a full download into an existing disk of the same size.
     */
    public RestoreResult overwrite(PointDisk disk, DiskTarget target, ProgressListener progress) throws IOException {
        if (target.size() != disk.size()) {
            throw new IOException("restore of disk " + disk.name() + " of point " + disk.point().id() + " over "
                    + target.describe() + ": the target has " + target.size() + " bytes, the point " + disk.size()
                    + "; nothing was written; hint: resize the target (qemu-img resize) or restore to a new image");
        }
        return run(disk, target, false, true, progress);
    }

    /**
     * @param compare read each target chunk and write only if its digest differs
     * @param zeroFill write zero chunks too (an existing target may hold data there); a new image is zero already
     */
    private RestoreResult run(PointDisk disk, DiskTarget target, boolean compare, boolean zeroFill, ProgressListener progress)
            throws IOException {
        Instant start = Instant.now();
        int cs = disk.chunkSize();
        long count = ChunkMath.chunkCount(disk.size(), cs);
        AtomicLong compared = new AtomicLong();
        AtomicLong written = new AtomicLong();
        AtomicLong bytesWritten = new AtomicLong();
        AtomicLong bytesRead = new AtomicLong();
        AtomicLong done = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        String phase = (compare ? "restoring in place " : "restoring ") + disk.name();
        int window = workers * 4;
        Semaphore permits = new Semaphore(window);
        ExecutorService pool = Executors.newFixedThreadPool(workers, r -> {
            Thread t = new Thread(r, "ferry-restore-worker");
            t.setDaemon(true);
            return t;
        });
        try {
            for (long c = 0; c < count && failure.get() == null; c++) {
                long chunk = c;
                permits.acquire();
                pool.execute(() -> {
                    try {
                        if (failure.get() != null) {
                            return;
                        }
                        long offset = chunk * cs;
                        int length = ChunkMath.chunkLength(chunk, disk.size(), cs);
                        ChunkId want = disk.chunkId(chunk);
                        if (compare) {
                            byte[] have = target.read(offset, length);
                            bytesRead.addAndGet(length);
                            compared.incrementAndGet();
                            if (repo.chunkId(ByteBuffer.wrap(have)).equals(want)) {
                                return;
                            }
                        } else if (want.isZero() && !zeroFill) {
                            return;
                        }
                        if (want.isZero()) {
                            target.writeZeroes(offset, length);
                        } else {
                            target.write(offset, disk.load(chunk));
                        }
                        written.incrementAndGet();
                        bytesWritten.addAndGet(length);
                    } catch (Throwable t) {
                        failure.compareAndSet(null, t);
                    } finally {
                        progress.progress(phase, done.addAndGet(ChunkMath.chunkLength(chunk, disk.size(), cs)),
                                disk.size());
                        permits.release();
                    }
                });
            }
            permits.acquire(window);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("restore of disk " + disk.name() + " interrupted");
        } finally {
            pool.shutdownNow();
        }
        Throwable t = failure.get();
        if (t != null) {
            String msg = "restore of disk " + disk.name() + " of point " + disk.point().id() + " into "
                    + target.describe() + " failed: " + t.getMessage();
            if (compare) {
                msg += "; the target may hold a mix of old and restored chunks: run the same in-place restore again"
                        + " to finish it (only differing chunks are written)";
            }
            throw new IOException(msg, t);
        }
        try {
            target.flush();
        } catch (IOException e) {
            throw new IOException("restore of disk " + disk.name() + " of point " + disk.point().id() + " into "
                    + target.describe() + " failed while flushing: " + e.getMessage()
                    + (compare ? "; run the same in-place restore again to finish it" : ""), e);
        }
        return new RestoreResult(disk.name(), target.describe(), disk.size(), count, compared.get(), written.get(),
                bytesWritten.get(), bytesRead.get(), Duration.between(start, Instant.now()));
    }
}
