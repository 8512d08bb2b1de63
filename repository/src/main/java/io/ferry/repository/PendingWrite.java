package io.ferry.repository;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/** A written temporary file of {@link LocalDirectoryStore} waiting for its batch to be made durable and renamed onto {@code target}. */
final class PendingWrite {
  final String key;
  final Path tmp;
  final Path target;
  final long size;
  final Instant created = Instant.now();
  /** {@link BatchFlusher#failedSyncs()} before the temporary file was written: a sync failing after that may have lost its pages. */
  final int failedSyncsBefore;
  /** Completes once the file is under its final name, or exceptionally when it was dropped by a failure. */
  final CompletableFuture<Void> done = new CompletableFuture<>();
  private final AtomicBoolean claimed = new AtomicBoolean();

  PendingWrite(String key, Path tmp, Path target, long size, int failedSyncsBefore) {
    this.key = key;
    this.tmp = tmp;
    this.target = target;
    this.size = size;
    this.failedSyncsBefore = failedSyncsBefore;
  }

  /** Only one of rename, fail, supersede and delete acts on a pending write. */
  boolean claim() {
    return claimed.compareAndSet(false, true);
  }

  boolean isClaimed() {
    return claimed.get();
  }

  /** Drops the temporary file unless the flusher took it already (a newer put of the key or a delete won). */
  void abandon() {
    if (claim()) {
      deleteQuietly(tmp);
      done.complete(null);
    }
  }

  static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException ignored) {
      // left for GC
    }
  }
}
