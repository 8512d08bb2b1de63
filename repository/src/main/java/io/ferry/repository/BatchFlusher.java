package io.ferry.repository;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * The background half of {@link LocalDirectoryStore} (docs/formats.md §7): collects written
 * temporary files into batches, and on one thread makes each batch durable at once, then renames
 * its files onto their final names. A batch is taken when it holds {@link Limits#maxFiles} files or
 * {@link Limits#maxBytes} bytes or its first file is {@link Limits#maxAge} old; {@link
 * #awaitRoom} makes a put wait while two batches' worth are pending.
 *
 * <p>A batch is made durable with one {@code syncfs(2)} ({@link Durability#SYNCFS}, run as {@code
 * sync -f}) or by {@code fsync}ing each file from several threads ({@link Durability#FORCE}). A file
 * is renamed only if no sync failed since it was written: a failed write-back is reported once, so
 * any file written before a failure may have lost pages.
 */
final class BatchFlusher {
  enum Durability {
    /** One {@code syncfs(2)} per batch (and one in {@link #sync()}): one journal commit for the whole batch. */
    SYNCFS,
    /** {@code fsync} of each file of the batch from {@value #FORCE_THREADS} threads, and of each changed directory in {@link #sync()}. */
    FORCE;

    /** {@code ferry.store.durability=force|syncfs}; SYNCFS unless there is no {@code sync} command. */
    static Durability configured() {
      String p = System.getProperty("ferry.store.durability", "syncfs");
      return p.equalsIgnoreCase("force") || SYNC_COMMAND == null ? FORCE : SYNCFS;
    }
  }

  record Limits(int maxFiles, long maxBytes, Duration maxAge) {
    static final Limits DEFAULT = new Limits(2048, 256L << 20, Duration.ofSeconds(2));
  }

  private static final int FORCE_THREADS = 16;
  private static final long IDLE_SECONDS = 5;
  /** coreutils {@code sync}, whose {@code -f} calls {@code syncfs(2)} on each argument's filesystem. */
  private static final String SYNC_COMMAND = Files.isExecutable(Path.of("/usr/bin/sync")) ? "/usr/bin/sync"
      : Files.isExecutable(Path.of("/bin/sync")) ? "/bin/sync" : null;

  private final Path root;
  private final Limits limits;
  private final Durability durability;
  /** Called once per write when it is renamed or dropped. */
  private final Consumer<PendingWrite> finished;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final ArrayDeque<PendingBatch> sealed = new ArrayDeque<>();
  private PendingBatch current = new PendingBatch();
  private long sealedCount;
  private long doneCount;
  private long pendingBytes;
  private int pendingFiles;
  private boolean running;
  private final AtomicInteger failedSyncs = new AtomicInteger();
  private final ConcurrentLinkedQueue<RepositoryException> failures = new ConcurrentLinkedQueue<>();
  /** Directories with a rename, a new entry or a deletion not yet made durable. */
  private final Set<Path> dirtyDirs = ConcurrentHashMap.newKeySet();
  private volatile ThreadPoolExecutor forcePool;

  BatchFlusher(Path root, Limits limits, Durability durability, Consumer<PendingWrite> finished) {
    this.root = root;
    this.limits = limits;
    this.durability = durability;
    this.finished = finished;
  }

  /** How many syncs have failed so far; a pending write remembers it before writing. */
  int failedSyncs() {
    return failedSyncs.get();
  }

  /** The first failure not yet reported by {@link #sync()}, or null. */
  RepositoryException firstFailure() {
    return failures.peek();
  }

  void markDirty(Path dir) {
    dirtyDirs.add(dir);
  }

  /** Back-pressure: waits while more than two batches' worth of files or bytes are pending. */
  void awaitRoom(long size) throws InterruptedIOException {
    lock.lock();
    try {
      while ((pendingBytes > 0 && pendingBytes + size > 2 * limits.maxBytes()) || pendingFiles >= 2 * limits.maxFiles()) {
        sealCurrent(); // the disk is behind: flush what there is now
        changed.await();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting for the disk of " + root);
    } finally {
      lock.unlock();
    }
  }

  /** Adds a written temporary file to the current batch. */
  void add(PendingWrite pw) {
    lock.lock();
    try {
      current.add(pw);
      pendingBytes += pw.size;
      pendingFiles++;
      if (current.size() >= limits.maxFiles() || current.bytes >= limits.maxBytes()) sealCurrent();
      else if (current.size() == 1) { // start the age clock
        ensureRunning();
        changed.signalAll();
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Returns once every write added before the call is renamed onto its final name (or dropped by a
   * failure) and every rename, new directory and deletion is durable; throws the first failure
   * since the last sync.
   */
  void sync() throws IOException {
    lock.lock();
    try {
      sealCurrent();
      long target = sealedCount;
      while (doneCount < target) changed.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted during sync of " + root);
    } finally {
      lock.unlock();
    }
    IOException first = syncDirectories();
    RepositoryException f = failures.poll();
    if (f != null) first = f;
    failures.clear();
    if (first != null) throw first;
  }

  void close() {
    ThreadPoolExecutor p = forcePool;
    if (p != null) p.shutdown();
  }

  private void sealCurrent() {
    if (current.isEmpty()) return;
    sealed.add(current);
    sealedCount++;
    current = new PendingBatch();
    ensureRunning();
    changed.signalAll();
  }

  private void ensureRunning() {
    if (running) return;
    running = true;
    Thread.ofPlatform().daemon().name("ferry-store-flush " + root).start(this::run);
  }

  private void run() {
    while (true) {
      PendingBatch b = null;
      lock.lock();
      try {
        while (sealed.isEmpty()) {
          if (current.isEmpty()) {
            if (!changed.await(IDLE_SECONDS, TimeUnit.SECONDS) && current.isEmpty() && sealed.isEmpty()) {
              running = false; // idle: a later add starts a new thread
              return;
            }
          } else {
            long wait = current.firstNanos + limits.maxAge().toNanos() - System.nanoTime();
            if (wait <= 0) sealCurrent();
            else changed.awaitNanos(wait);
          }
        }
        b = sealed.poll();
      } catch (InterruptedException ignored) {
        // nobody interrupts this thread on purpose; keep flushing
      } finally {
        lock.unlock();
      }
      if (b == null) continue;
      try {
        flush(b);
      } catch (RuntimeException | Error e) {
        RepositoryException t = new RepositoryException("cannot store " + b.describe() + " in " + root + ": internal error " + e, "report this as a bug", e);
        failures.add(t);
        for (PendingWrite pw : b.writes) drop(pw, t);
      }
      lock.lock();
      try {
        doneCount++;
        pendingBytes -= b.bytes;
        pendingFiles -= b.size();
        changed.signalAll();
      } finally {
        lock.unlock();
      }
    }
  }

  private void flush(PendingBatch b) {
    RepositoryException syncFailure = null;
    try {
      if (durability == Durability.SYNCFS) syncfs(topDirectories(b.writes.stream().map(pw -> pw.target).toList()));
      else forceFiles(b);
    } catch (IOException e) {
      failedSyncs.incrementAndGet();
      syncFailure = StoreErrors.translate(e, "make durable", b.describe(), b.writes.getFirst().target, true);
      failures.add(syncFailure);
    }
    int failedNow = failedSyncs.get();
    RepositoryException lost = syncFailure;
    for (PendingWrite pw : b.writes) {
      if (pw.isClaimed()) continue; // superseded by a newer put, or deleted
      if (pw.failedSyncsBefore != failedNow) { // this batch's sync, or an earlier one, failed after the file was written
        if (lost == null) {
          lost = new RepositoryException("cannot store " + b.describe() + " in " + root + ": a sync of the filesystem failed after they were written (see the earlier error), so they were not renamed into place",
              "check the filesystem of " + root + " (df, dmesg) and run the operation again", null);
          failures.add(lost);
        }
        drop(pw, lost);
        continue;
      }
      if (!pw.claim()) continue; // superseded or deleted just now
      try {
        Files.move(pw.tmp, pw.target, StandardCopyOption.ATOMIC_MOVE);
        dirtyDirs.add(pw.target.getParent());
        pw.done.complete(null);
      } catch (IOException e) {
        PendingWrite.deleteQuietly(pw.tmp);
        RepositoryException t = StoreErrors.translate(e, "put (rename into place)", pw.key, pw.target, true);
        failures.add(t);
        pw.done.completeExceptionally(t);
      } finally {
        finished.accept(pw);
      }
    }
  }

  private void drop(PendingWrite pw, RepositoryException why) {
    if (!pw.claim()) return;
    PendingWrite.deleteQuietly(pw.tmp);
    pw.done.completeExceptionally(why);
    finished.accept(pw);
  }

  /** fsync of each file of the batch, spread over the force pool; the first failure is thrown. */
  private void forceFiles(PendingBatch b) throws IOException {
    forEachParallel(b.writes, pw -> {
      try (FileChannel ch = FileChannel.open(pw.tmp, StandardOpenOption.WRITE)) {
        ch.force(false);
      } catch (NoSuchFileException e) {
        if (!pw.isClaimed()) throw e; // else superseded or deleted meanwhile
      }
    });
  }

  /** Makes renames, new directories and deletions durable: one syncfs, or an fsync of each directory. */
  private IOException syncDirectories() {
    List<Path> dirs = List.copyOf(dirtyDirs);
    if (dirs.isEmpty()) return null;
    dirtyDirs.removeAll(dirs);
    try {
      if (durability == Durability.SYNCFS) syncfs(topDirectories(dirs));
      else forEachParallel(dirs, dir -> {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
          ch.force(true);
        } catch (NoSuchFileException gone) {
          // deleted since: nothing to make durable
        }
      });
      return null;
    } catch (IOException e) {
      failedSyncs.incrementAndGet();
      dirtyDirs.addAll(dirs);
      return StoreErrors.translate(e, "make durable the directories of", dirs.size() + " changed directories", dirs.getFirst(), true);
    }
  }

  /** The first-level directories under the root that hold {@code paths} (one syncfs per filesystem that could be mounted there). */
  private Collection<Path> topDirectories(Collection<Path> paths) {
    Set<Path> tops = new LinkedHashSet<>();
    for (Path p : paths) {
      if (p.startsWith(root) && root.relativize(p).getNameCount() > 1) tops.add(root.resolve(root.relativize(p).getName(0)));
      else tops.add(root);
    }
    return tops;
  }

  /** {@code sync -f <paths>}: syncfs(2) of each path's filesystem; writes back all dirty data and commits the journal. */
  private static void syncfs(Collection<Path> paths) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(SYNC_COMMAND, "-f"));
    for (Path p : paths) cmd.add(p.toString());
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    int rc;
    boolean interrupted = false;
    while (true) {
      try {
        rc = p.waitFor();
        break;
      } catch (InterruptedException e) {
        interrupted = true; // the outcome matters more than the interrupt: wait, then restore the flag
      }
    }
    if (interrupted) Thread.currentThread().interrupt();
    if (rc != 0) throw new FileSystemException(paths.iterator().next().toString(), null, out.isEmpty() ? "sync -f exited with " + rc : out);
  }

  interface IoAction<T> {
    void run(T t) throws IOException;
  }

  private <T> void forEachParallel(List<T> items, IoAction<T> action) throws IOException {
    ThreadPoolExecutor pool = forcePool();
    int n = Math.min(FORCE_THREADS, items.size());
    List<CompletableFuture<Void>> fs = new ArrayList<>();
    for (int t = 0; t < n; t++) {
      int tt = t;
      fs.add(CompletableFuture.runAsync(() -> {
        for (int i = tt; i < items.size(); i += n) {
          try {
            action.run(items.get(i));
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
      }, pool));
    }
    IOException first = null;
    for (CompletableFuture<Void> f : fs) {
      try {
        f.join();
      } catch (CompletionException e) {
        if (first == null) first = e.getCause() instanceof UncheckedIOException u ? u.getCause() : new IOException(e.getCause());
      }
    }
    if (first != null) throw first;
  }

  private ThreadPoolExecutor forcePool() {
    ThreadPoolExecutor p = forcePool;
    if (p != null) return p;
    synchronized (this) {
      if (forcePool == null) {
        forcePool = new ThreadPoolExecutor(FORCE_THREADS, FORCE_THREADS, IDLE_SECONDS, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
            Thread.ofPlatform().daemon().name("ferry-store-fsync " + root, 0).factory());
        forcePool.allowCoreThreadTimeOut(true);
      }
      return forcePool;
    }
  }
}
