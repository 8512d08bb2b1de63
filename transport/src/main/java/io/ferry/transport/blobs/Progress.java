package io.ferry.transport.blobs;

/** When a connection last moved bytes (either way); read by {@link Watchdog}. */
class Progress {
  private volatile long lastNanos = System.nanoTime();

  void tick() {
    lastNanos = System.nanoTime();
  }

  long idleNanos() {
    return System.nanoTime() - lastNanos;
  }

  static final Progress NONE = new Progress() {
    @Override
    void tick() {}
  };
}
