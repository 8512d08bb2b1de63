package io.ferry.datapath.capture;

import io.ferry.repository.Consistency;

/**
 * Settings of one capture cycle.
 *
 * @param readsInFlight NBD read requests outstanding at once per disk (1..256)
 * @param workers threads hashing, compressing and storing chunks (1..64)
 * @param resync allow a resync when change tracking is lost (otherwise such a capture fails
 *     with {@link ResyncRequiredException})
 * @param consistency what the point claims (crash-consistent unless the guest was quiesced)
 * @param bytesPerSecond limit on bytes read from the disks (0 = unlimited)
 */
public record CaptureOptions(int readsInFlight, int workers, boolean resync, Consistency consistency,
                             long bytesPerSecond) {
    public CaptureOptions {
        if (readsInFlight < 1 || readsInFlight > 256) {
            throw new IllegalArgumentException("readsInFlight must be 1..256, got " + readsInFlight);
        }
        if (workers < 1 || workers > 64) {
            throw new IllegalArgumentException("workers must be 1..64, got " + workers);
        }
        if (bytesPerSecond < 0) {
            throw new IllegalArgumentException("bytesPerSecond must be >= 0 (0 = unlimited), got " + bytesPerSecond);
        }
        if (consistency == null) {
            throw new IllegalArgumentException("consistency is required");
        }
    }

    public static CaptureOptions defaults() {
        return new CaptureOptions(16, Math.max(1, Runtime.getRuntime().availableProcessors()), false, Consistency.CRASH, 0);
    }

    public CaptureOptions withResync(boolean value) {
        return new CaptureOptions(readsInFlight, workers, value, consistency, bytesPerSecond);
    }

    public CaptureOptions withWorkers(int value) {
        return new CaptureOptions(readsInFlight, value, resync, consistency, bytesPerSecond);
    }

    public CaptureOptions withReadsInFlight(int value) {
        return new CaptureOptions(value, workers, resync, consistency, bytesPerSecond);
    }

    public CaptureOptions withBytesPerSecond(long value) {
        return new CaptureOptions(readsInFlight, workers, resync, consistency, value);
    }

    public CaptureOptions withConsistency(Consistency value) {
        return new CaptureOptions(readsInFlight, workers, resync, value, bytesPerSecond);
    }
}
