package io.ferry.datapath;

import java.io.InterruptedIOException;

/** A token bucket in bytes per second (one second of burst); {@link #UNLIMITED} never waits. Thread-safe. */
public final class RateLimiter {
    public static final RateLimiter UNLIMITED = new RateLimiter(0);

    private final long bytesPerSecond;
    private double available;
    private long last = System.nanoTime();

    public RateLimiter(long bytesPerSecond) {
        if (bytesPerSecond < 0) {
            throw new IllegalArgumentException("bytes per second must be >= 0 (0 = unlimited), got " + bytesPerSecond);
        }
        this.bytesPerSecond = bytesPerSecond;
        this.available = bytesPerSecond;
    }

    public long bytesPerSecond() {
        return bytesPerSecond;
    }

    /** Waits until {@code bytes} may pass. */
    public void acquire(long bytes) throws InterruptedIOException {
        if (bytesPerSecond == 0) {
            return;
        }
        long waitNanos;
        synchronized (this) {
            long now = System.nanoTime();
            available = Math.min(bytesPerSecond, available + (now - last) / 1e9 * bytesPerSecond);
            last = now;
            available -= bytes;
            waitNanos = available >= 0 ? 0 : (long) (-available / bytesPerSecond * 1e9);
        }
        if (waitNanos > 0) {
            try {
                Thread.sleep(waitNanos / 1_000_000, (int) (waitNanos % 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while rate limited");
            }
        }
    }
}
