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
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A {@link BlobStore} in a local directory: key {@code a/b/c} is the file {@code <root>/a/b/c}
 * (docs/formats.md §1). A put writes a temporary file {@code .<name>.<random>.tmp} next to the
 * target, without fsync, and hands it to a {@link BatchFlusher}, which makes whole batches durable
 * at once (one {@code syncfs}) and only then renames their files into place, so the caller's CPU
 * work never waits for the disk and a file under a final name is always complete, even after a
 * power loss. {@link #sync()} waits for every batch and makes the renames durable. Temporary files
 * left by a crash are invisible to readers and removed by GC.
 */
public final class LocalDirectoryStore implements BlobStore {
  private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

  private final Path root;
  private final ConcurrentHashMap<String, PendingWrite> pending = new ConcurrentHashMap<>();
  private final Set<Path> knownDirs = ConcurrentHashMap.newKeySet();
  private final BatchFlusher flusher;
  private volatile boolean closed;

  public LocalDirectoryStore(Path root) {
    this(root, BatchFlusher.Limits.DEFAULT, BatchFlusher.Durability.configured());
  }

  LocalDirectoryStore(Path root, BatchFlusher.Limits limits, BatchFlusher.Durability durability) {
    this.root = root.toAbsolutePath().normalize();
    this.flusher = new BatchFlusher(this.root, limits, durability, pw -> pending.remove(pw.key, pw));
  }

  public Path root() {
    return root;
  }

  @Override
  public String location() {
    return root.toString();
  }

  @Override
  public void put(String key, byte[] data) throws IOException {
    Path target = resolve(key);
    checkOpen();
    RepositoryException failed = flusher.firstFailure();
    if (failed != null) throw failed; // an earlier batch could not be stored; sync() reports it too
    flusher.awaitRoom(data.length);
    Path dir = target.getParent();
    ensureDirectory(dir, key);
    Path tmp = dir.resolve("." + target.getFileName() + "." + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong()) + ".tmp");
    PendingWrite pw = new PendingWrite(key, tmp, target, data.length, flusher.failedSyncs());
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      ByteBuffer b = ByteBuffer.wrap(data);
      while (b.hasRemaining()) ch.write(b);
    } catch (IOException e) {
      PendingWrite.deleteQuietly(tmp);
      throw StoreErrors.translate(e, "put", key, target, true);
    }
    // visible to this process first, then to the flusher: a write it renames is always in the map
    PendingWrite previous = pending.put(key, pw);
    if (previous != null) previous.abandon(); // if already renaming, its batch is flushed before ours
    flusher.add(pw);
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
        flusher.markDirty(p);
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
        pw.done.get(); // the flusher had it: let its rename finish before deleting the target
      } catch (ExecutionException ignored) {
        // the write failed; the failure is reported by sync()
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while deleting " + key + " from " + root);
      }
    }
    try {
      if (Files.deleteIfExists(target)) flusher.markDirty(target.getParent());
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
    flusher.sync();
  }

  @Override
  public void close() throws IOException {
    if (closed) return;
    try {
      sync();
    } finally {
      closed = true;
      flusher.close();
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

  @Override
  public String toString() {
    return "LocalDirectoryStore[" + root + "]";
  }
}
