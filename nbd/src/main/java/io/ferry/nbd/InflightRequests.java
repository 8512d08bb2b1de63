package io.ferry.nbd;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Requests sent and not yet answered, by handle, with the high-water mark and the time
 * the connection last went from idle to busy (the watchdog's reference point).
 */
final class InflightRequests {
    private final ConcurrentHashMap<Long, Request> byHandle = new ConcurrentHashMap<>();
    private final AtomicLong nextHandle = new AtomicLong(1);
    private final AtomicInteger count = new AtomicInteger();
    private final AtomicInteger highWater = new AtomicInteger();
    volatile long busySinceNanos = System.nanoTime();

    /** Assigns a fresh handle and registers the request. */
    void add(Request r) {
        r.handle = nextHandle.getAndIncrement();
        byHandle.put(r.handle, r);
        int n = count.incrementAndGet();
        if (n == 1) {
            busySinceNanos = System.nanoTime();
        }
        int hw;
        while (n > (hw = highWater.get()) && !highWater.compareAndSet(hw, n)) {
            // retry
        }
    }

    Request get(long handle) {
        return byHandle.get(handle);
    }

    /** Unregisters; returns false when someone else (failure path) already did. */
    boolean remove(Request r) {
        if (byHandle.remove(r.handle, r)) {
            count.decrementAndGet();
            return true;
        }
        return false;
    }

    /** Removes and returns everything in flight. */
    List<Request> drain() {
        List<Request> all = new ArrayList<>();
        for (Request r : byHandle.values()) {
            if (remove(r)) {
                all.add(r);
            }
        }
        return all;
    }

    int size() {
        return count.get();
    }

    int highWater() {
        return highWater.get();
    }

    /** The oldest request still waiting (smallest handle), for timeout messages. */
    Request oldest() {
        Request best = null;
        for (Request r : byHandle.values()) {
            if (best == null || r.handle < best.handle) {
                best = r;
            }
        }
        return best;
    }
}
