package io.ferry.transport.blobs;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Aborts client connections that made no progress (no byte read or written) for their timeout.
 * Socket read timeouts cover reads; this covers writes, which a dead peer (no ACKs, full send
 * buffer) would otherwise block for the kernel's retransmission timeout (~15 minutes). One daemon
 * thread for the whole process, checking every 100 ms.
 */
final class Watchdog {
  private static final Set<PeerConnection> WATCHED = ConcurrentHashMap.newKeySet();
  private static volatile ScheduledExecutorService timer;

  private Watchdog() {}

  static void watch(PeerConnection c) {
    c.progress.tick();
    WATCHED.add(c);
    if (timer == null) start();
  }

  static void unwatch(PeerConnection c) {
    WATCHED.remove(c);
  }

  private static synchronized void start() {
    if (timer != null) return;
    ScheduledExecutorService t = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().daemon().name("ferry-blob-watchdog").unstarted(r));
    t.scheduleWithFixedDelay(Watchdog::check, 100, 100, TimeUnit.MILLISECONDS);
    timer = t;
  }

  private static void check() {
    for (PeerConnection c : WATCHED) {
      long idle = c.progress.idleNanos();
      if (idle > c.timeoutNanos) {
        WATCHED.remove(c);
        c.abort("no progress for " + TimeUnit.NANOSECONDS.toMillis(idle) + " ms (timeout " + TimeUnit.NANOSECONDS.toMillis(c.timeoutNanos) + " ms)");
      }
    }
  }
}
