package io.ferry.repository;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A {@link BlobStore} in a local directory: key {@code a/b/c} is the file {@code <root>/a/b/c}
 * (docs/formats.md §1). A put writes a temporary file {@code .<name>.<random>.tmp} next to the
 * target and hands it to a small pool of flusher threads, which fsync it and rename it into place,
 * so the caller's CPU work never waits for the disk. {@link #sync()} waits for those and fsyncs
 * every directory that changed. A file under a final name is therefore always complete; temporary
 * files left by a crash are invisible to readers and removed by GC.
 */
public final class LocalDirectoryStore implements BlobStore {
  private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
  private static final int FLUSH_THREADS = 4;
  private static final int MAX_PENDING = 256;

  private final Path root;
  private final ConcurrentHashMap<String, PendingWrite> pending = new ConcurrentHashMap<>();
  private final Set<Path> knownDirs = ConcurrentHashMap.newKeySet();
  private final Set<Path> dirtyDirs = ConcurrentHashMap.newKeySet();
  private final ConcurrentLinkedQueue<IOException> failures = new ConcurrentLinkedQueue<>();
  private final Semaphore permits = new Semaphore(MAX_PENDING);
  private final ThreadPoolExecutor flusher;
  private volatile boolean closed;

  public LocalDirectoryStore(Path root) {
    this.root = root.toAbsolutePath().normalize();
    this.flusher = new ThreadPoolExecutor(FLUSH_THREADS, FLUSH_THREADS, 5, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
      Thread t = new Thread(r, "ferry-store-flush " + this.root);
      t.setDaemon(true);
      return t;
    });
    flusher.allowCoreThreadTimeOut(true);
  }

  public Path root() {
    return root;
  }

  @Override
  public String location() {
    return root.toString();
  }

  /** A written temporary file waiting to be fsynced and renamed onto {@code target}. */
  private static final class PendingWrite {
    final String key;
    final Path tmp;
    final Path target;
    final long size;
    final Instant created = Instant.now();
    final AtomicBoolean claimed = new AtomicBoolean();
    final CompletableFuture<Void> done = new CompletableFuture<>();
    /** An earlier write of the same key that a flusher may still be renaming: ours must land after it. */
    volatile PendingWrite earlier;

    PendingWrite(String key, Path tmp, Path target, long size) {
      this.key = key;
      this.tmp = tmp;
      this.target = target;
      this.size = size;
    }

    /** Only one of flush, supersede and delete acts on a pending write. */
    boolean claim() {
      return claimed.compareAndSet(false, true);
    }

    /** Drops the temporary file if no flusher has taken it yet (a newer put or a delete won). */
    void abandon() {
      if (claim()) {
        deleteQuietly(tmp);
        done.complete(null);
      }
    }
  }

  @Override
  public void put(String key, byte[] data) throws IOException {
    Path target = resolve(key);
    checkOpen();
    Path dir = target.getParent();
    ensureDirectory(dir, key);
    Path tmp = dir.resolve("." + target.getFileName() + "." + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong()) + ".tmp");
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      ByteBuffer b = ByteBuffer.wrap(data);
      while (b.hasRemaining()) ch.write(b);
    } catch (IOException e) {
      deleteQuietly(tmp);
      throw StoreErrors.translate(e, "put", key, target, true);
    }
    try {
      permits.acquire();
    } catch (InterruptedException e) {
      deleteQuietly(tmp);
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while putting " + key + " into " + root);
    }
    PendingWrite pw = new PendingWrite(key, tmp, target, data.length);
    PendingWrite previous = pending.put(key, pw);
    if (previous != null) {
      pw.earlier = previous;
      previous.abandon();
    }
    try {
      flusher.execute(() -> flush(pw));
    } catch (RejectedExecutionException e) {
      flush(pw);
    }
  }

  private void flush(PendingWrite pw) {
    try {
      if (!pw.claim()) return;
      try {
        try (FileChannel ch = FileChannel.open(pw.tmp, StandardOpenOption.WRITE)) {
          ch.force(false);
        }
        PendingWrite earlier = pw.earlier;
        if (earlier != null) {
          earlier.done.exceptionally(t -> null).join(); // already running on another flusher, or abandoned
          pw.earlier = null;
        }
        Files.move(pw.tmp, pw.target, StandardCopyOption.ATOMIC_MOVE);
        dirtyDirs.add(pw.target.getParent());
        pw.done.complete(null);
      } catch (IOException e) {
        deleteQuietly(pw.tmp);
        RepositoryException t = StoreErrors.translate(e, "put (fsync and rename)", pw.key, pw.target, true);
        failures.add(t);
        pw.done.completeExceptionally(t);
      } finally {
        pending.remove(pw.key, pw);
      }
    } finally {
      permits.release();
    }
  }

  private void ensureDirectory(Path dir, String key) throws IOException {
    if (knownDirs.contains(dir)) return;
    if (!Files.isDirectory(dir)) {
      try {
        Files.createDirectories(dir);
      } catch (IOException e) {
        throw StoreErrors.translate(e, "create the directory for", key, dir, true);
      }
      // new directory entries must reach the disk too: fsync every parent up to the root's parent
      for (Path p = dir.getParent(); p != null; p = p.getParent()) {
        dirtyDirs.add(p);
        if (!p.startsWith(root)) break;
      }
    }
    knownDirs.add(dir);
  }

  @Override
  public byte[] get(String key) throws IOException {
    Path target = resolve(key);
    for (int attempt = 0; attempt < 4; attempt++) {
      PendingWrite pw = pending.get(key);
      if (pw != null) {
        try {
          return Files.readAllBytes(pw.tmp);
        } catch (NoSuchFileException renamedOrReplaced) {
          // fall through to the final name
        } catch (IOException e) {
          throw StoreErrors.translate(e, "get", key, pw.tmp, false);
        }
      }
      try {
        return Files.readAllBytes(target);
      } catch (NoSuchFileException e) {
        PendingWrite now = pending.get(key);
        if (now == null || now == pw) break;
      } catch (IOException e) {
        throw StoreErrors.translate(e, "get", key, target, false);
      }
    }
    throw new NoSuchBlobException(key, root.toString());
  }

  @Override
  public boolean exists(String key) throws IOException {
    Path target = resolve(key);
    return pending.containsKey(key) || Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS);
  }

  @Override
  public void delete(String key) throws IOException {
    Path target = resolve(key);
    checkOpen();
    PendingWrite pw = pending.remove(key);
    if (pw != null) {
      pw.abandon();
      try {
        pw.done.get(); // a flusher had it: let its rename finish before deleting the target
      } catch (ExecutionException ignored) {
        // the write failed; the failure is reported by sync()
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while deleting " + key + " from " + root);
      }
    }
    try {
      if (Files.deleteIfExists(target)) dirtyDirs.add(target.getParent());
    } catch (IOException e) {
      throw StoreErrors.translate(e, "delete", key, target, true);
    }
  }

  @Override
  public Stream<BlobInfo> list(String prefix) throws IOException {
    Objects.requireNonNull(prefix, "prefix");
    int slash = prefix.lastIndexOf('/');
    Path base = slash < 0 ? root : resolve(prefix.substring(0, slash));
    Map<String, PendingWrite> unseen = new ConcurrentHashMap<>();
    pending.forEach((k, pw) -> {
      if (k.startsWith(prefix)) unseen.put(k, pw);
    });
    Stream<BlobInfo> rest = Stream.of(unseen).flatMap(m -> m.values().stream().map(pw -> new BlobInfo(pw.key, pw.size, pw.created)));
    if (!Files.isDirectory(base)) return rest;
    Stream<BlobInfo> stored = files(base, false).map(p -> {
      String k = keyOf(p);
      if (k == null || !k.startsWith(prefix)) return null;
      BlobInfo info = info(k, p);
      if (info != null) unseen.remove(k);
      return info;
    }).filter(Objects::nonNull);
    return Stream.concat(stored, rest);
  }

  /**
   * Files under {@code dir}, lazily, one directory listing at a time. Unlike {@link Files#walk} it
   * tolerates entries that vanish while it runs (a flusher renaming a temporary file, GC deleting).
   * Dot-files are skipped unless {@code withHidden}.
   */
  private static Stream<Path> files(Path dir, boolean withHidden) {
    List<Path> entries = new ArrayList<>();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
      for (Path p : ds) if (withHidden || !p.getFileName().toString().startsWith(".")) entries.add(p);
    } catch (NoSuchFileException | NotDirectoryException gone) {
      return Stream.empty();
    } catch (IOException e) {
      throw new UncheckedIOException(StoreErrors.translate(e, "list", dir.toString(), dir, false));
    }
    return entries.stream().flatMap(p -> Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) ? files(p, withHidden) : Stream.of(p));
  }

  private static BlobInfo info(String key, Path p) {
    try {
      BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      return a.isRegularFile() ? new BlobInfo(key, a.size(), a.lastModifiedTime().toInstant()) : null;
    } catch (NoSuchFileException gone) {
      return null;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The key of a file under the root, or null if it is not a valid key (temporary files, foreign files). */
  private String keyOf(Path p) {
    if (!p.startsWith(root) || p.equals(root)) return null;
    String k = root.relativize(p).toString();
    return isValidKey(k) ? k : null;
  }

  @Override
  public Stream<BlobInfo> temporaries() throws IOException {
    if (!Files.isDirectory(root)) return Stream.empty();
    Set<Path> inFlight = ConcurrentHashMap.newKeySet();
    pending.values().forEach(pw -> inFlight.add(pw.tmp));
    return files(root, true).filter(LocalDirectoryStore::isTemporaryName).filter(p -> !inFlight.contains(p))
        .map(p -> info(root.relativize(p).toString(), p)).filter(Objects::nonNull);
  }

  @Override
  public void deleteTemporary(String key) throws IOException {
    Path p = root.resolve(key).normalize();
    if (!p.startsWith(root) || !isTemporaryName(p)) throw new IllegalArgumentException(key + " is not a temporary file of " + root);
    try {
      Files.deleteIfExists(p);
    } catch (IOException e) {
      throw StoreErrors.translate(e, "delete temporary file", key, p, true);
    }
  }

  private static boolean isTemporaryName(Path p) {
    String n = p.getFileName().toString();
    return n.startsWith(".") && n.endsWith(".tmp") && Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS);
  }

  @Override
  public void sync() throws IOException {
    List<PendingWrite> snapshot = List.copyOf(pending.values());
    for (PendingWrite pw : snapshot) {
      try {
        pw.done.get();
      } catch (ExecutionException reportedBelow) {
        // the failure is in the failures queue
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted during sync of " + root);
      }
    }
    IOException first = failures.poll();
    List<CompletableFuture<IOException>> dirSyncs = new ArrayList<>();
    for (Path dir : List.copyOf(dirtyDirs)) {
      dirtyDirs.remove(dir);
      dirSyncs.add(CompletableFuture.supplyAsync(() -> forceDirectory(dir), flusher));
    }
    for (CompletableFuture<IOException> f : dirSyncs) {
      IOException e = f.join();
      if (e != null && first == null) first = e;
    }
    if (first != null) {
      failures.clear();
      throw first;
    }
  }

  private IOException forceDirectory(Path dir) {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
      return null;
    } catch (NoSuchFileException gone) {
      return null;
    } catch (IOException e) {
      dirtyDirs.add(dir);
      return StoreErrors.translate(e, "fsync directory", root.relativize(dir).toString(), dir, true);
    }
  }

  @Override
  public void close() throws IOException {
    if (closed) return;
    try {
      sync();
    } finally {
      closed = true;
      flusher.shutdown();
    }
  }

  private void checkOpen() throws IOException {
    if (closed) throw new IOException("store " + root + " is closed");
  }

  private Path resolve(String key) {
    if (!isValidKey(key)) throw new IllegalArgumentException("invalid blob key '" + key + "' (segments of [A-Za-z0-9][A-Za-z0-9._-]*, separated by /)");
    return root.resolve(key);
  }

  static boolean isValidKey(String key) {
    if (key == null || key.isEmpty() || key.length() > 1024) return false;
    for (String s : key.split("/", -1)) if (!SEGMENT.matcher(s).matches()) return false;
    return true;
  }

  private static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException ignored) {
      // left for GC
    }
  }

  @Override
  public String toString() {
    return "LocalDirectoryStore[" + root + "]";
  }
}
