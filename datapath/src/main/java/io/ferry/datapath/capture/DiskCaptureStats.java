package io.ferry.datapath.capture;

import java.util.concurrent.atomic.AtomicLong;

/** Counters of one disk during one capture; thread-safe. */
public final class DiskCaptureStats {
    final String disk;
    final long diskSize;
    final AtomicLong chunksRead = new AtomicLong();
    final AtomicLong bytesRead = new AtomicLong();
    final AtomicLong zeroChunks = new AtomicLong();
    final AtomicLong unchangedChunks = new AtomicLong();
    final AtomicLong chunksStored = new AtomicLong();
    final AtomicLong chunksAlreadyStored = new AtomicLong();
    final AtomicLong bytesStored = new AtomicLong();
    final AtomicLong plainBytesStored = new AtomicLong();
    final AtomicLong parentChunksRead = new AtomicLong();

    DiskCaptureStats(String disk, long diskSize) {
        this.disk = disk;
        this.diskSize = diskSize;
    }

    public Snapshot snapshot() {
        return new Snapshot(disk, diskSize, chunksRead.get(), bytesRead.get(), zeroChunks.get(),
                unchangedChunks.get(), chunksStored.get(), chunksAlreadyStored.get(), bytesStored.get(),
                plainBytesStored.get(), parentChunksRead.get());
    }

    /**
     * What one disk cost in one capture.
     *
     * @param bytesRead bytes read from the disk over NBD
     * @param chunksStored chunks newly written to the repository
     * @param chunksAlreadyStored chunks read and found already in the repository (not re-sent)
     * @param unchangedChunks chunks read whose digest equals the parent point's (resync)
     * @param bytesStored bytes written to the repository for chunks (after compression/encryption)
     * @param plainBytesStored plaintext bytes of the newly stored chunks
     * @param parentChunksRead chunks read back from the parent point to complete partly changed ones
     */
    public record Snapshot(String disk, long diskSize, long chunksRead, long bytesRead, long zeroChunks,
                           long unchangedChunks, long chunksStored, long chunksAlreadyStored, long bytesStored,
                           long plainBytesStored, long parentChunksRead) { }
}
