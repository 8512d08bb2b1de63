package io.ferry.repository;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

/**
 * Reads every blob reachable from every point, runs every reader check and recomputes every id
 * (docs/formats.md §9). Each distinct blob is read once; the damage found under a page is
 * remembered with the page, so a shared subtree is walked once but attributed to every point
 * that reaches it. Chunks of a leaf are checked in parallel.
 */
final class Verifier {
  private final Repository repo;
  private final ProgressListener progress;
  private final IndexPages pages;
  private final Map<String, Damage> damage = new LinkedHashMap<>();
  private final Map<ChunkId, Set<String>> subtreeDamage = new HashMap<>();
  private final Set<ChunkId> chunksOk = new HashSet<>();
  private final Map<ChunkId, String> chunksBad = new HashMap<>();
  private long blobsChecked;
  private long bytesChecked;
  private ExecutorService pool;

  /** A damaged blob being reported, with the points that reach it. */
  private record Damage(String key, VerifyReport.Kind kind, String reason, Set<VerifyReport.AffectedPoint> affected) {}

  /** The outcome of checking one chunk: null reason = fine. */
  private record ChunkCheck(ChunkId id, long bytes, VerifyReport.Kind kind, String reason) {}

  Verifier(Repository repo, ProgressListener progress) {
    this.repo = repo;
    this.progress = progress;
    this.pages = repo.pages();
  }

  VerifyReport run() throws IOException {
    List<String> ids = repo.pointIds();
    pool = Executors.newFixedThreadPool(Math.max(2, Runtime.getRuntime().availableProcessors()), r -> {
      Thread t = new Thread(r, "ferry-verify");
      t.setDaemon(true);
      return t;
    });
    try {
      for (int i = 0; i < ids.size(); i++) {
        progress.progress("points", i, ids.size());
        checkPoint(ids.get(i));
      }
      progress.progress("points", ids.size(), ids.size());
    } finally {
      pool.shutdownNow();
    }
    long orphans = countOrphans();
    long temporaries;
    try (Stream<BlobInfo> s = repo.store().temporaries()) {
      temporaries = s.count();
    }
    List<VerifyReport.DamagedBlob> out = new ArrayList<>();
    for (Damage d : damage.values()) out.add(new VerifyReport.DamagedBlob(d.key(), d.kind(), d.reason(), new ArrayList<>(d.affected())));
    return new VerifyReport(ids.size(), blobsChecked, bytesChecked, out, orphans, temporaries);
  }

  private void checkPoint(String id) throws IOException {
    String key = BlobKeys.point(id);
    PointManifest m;
    try {
      m = repo.readManifest(id).orElse(null);
    } catch (CorruptBlobException e) {
      note(key, VerifyReport.Kind.CORRUPT, e.reason()).affected().add(new VerifyReport.AffectedPoint(id, null));
      return;
    }
    if (m == null) return; // deleted meanwhile
    blobsChecked++;
    for (DiskRef disk : m.disks()) {
      for (String bad : walk(disk.index().root(), disk.index().depth() - 1))
        damage.get(bad).affected().add(new VerifyReport.AffectedPoint(id, disk.name()));
    }
  }

  /** Checks the subtree under page {@code id}; returns the keys of damaged blobs in it. */
  private Set<String> walk(ChunkId id, int level) throws IOException {
    if (id.isZero()) return Set.of();
    Set<String> known = subtreeDamage.get(id);
    if (known != null) return known;
    String key = BlobKeys.page(id);
    IndexPage page;
    try {
      page = pages.readUncached(id, level);
      blobsChecked++;
      bytesChecked += IndexPage.HEADER + (long) page.entryCount() * ChunkId.LENGTH;
    } catch (MissingBlobException e) {
      note(key, VerifyReport.Kind.MISSING, "index page (level " + level + ") is missing");
      return remember(id, Set.of(key));
    } catch (CorruptBlobException e) {
      note(key, VerifyReport.Kind.CORRUPT, e.reason());
      return remember(id, Set.of(key));
    }
    Set<String> bad = new TreeSet<>();
    if (level == 0) {
      checkChunks(page, bad);
    } else {
      for (int j = 0; j < page.fanout; j++) if (!page.isZeroAt(j)) bad.addAll(walk(page.get(j), level - 1));
    }
    return remember(id, bad.isEmpty() ? Set.of() : bad);
  }

  private Set<String> remember(ChunkId page, Set<String> bad) {
    subtreeDamage.put(page, bad);
    return bad;
  }

  private void checkChunks(IndexPage leaf, Set<String> bad) throws IOException {
    Set<ChunkId> todo = new LinkedHashSet<>();
    for (int j = 0; j < leaf.fanout; j++) {
      if (leaf.isZeroAt(j)) continue;
      ChunkId c = leaf.get(j);
      String known = chunksBad.get(c);
      if (known != null) bad.add(known);
      else if (!chunksOk.contains(c)) todo.add(c);
    }
    List<Future<ChunkCheck>> checks = new ArrayList<>();
    for (ChunkId c : todo) checks.add(pool.submit(() -> check(c)));
    for (Future<ChunkCheck> f : checks) {
      ChunkCheck r;
      try {
        r = f.get();
      } catch (ExecutionException e) {
        if (e.getCause() instanceof IOException io) throw io;
        throw new IllegalStateException(e.getCause());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new java.io.InterruptedIOException("verify of repository " + repo.name() + " interrupted");
      }
      blobsChecked++;
      if (r.reason() == null) {
        chunksOk.add(r.id());
        bytesChecked += r.bytes();
      } else {
        String key = BlobKeys.chunk(r.id());
        chunksBad.put(r.id(), key);
        note(key, r.kind(), r.reason());
        bad.add(key);
      }
    }
    progress.progress("blobs", blobsChecked, -1);
  }

  private ChunkCheck check(ChunkId c) throws IOException {
    try {
      return new ChunkCheck(c, repo.readChunk(c).length, null, null);
    } catch (MissingBlobException e) {
      return new ChunkCheck(c, 0, VerifyReport.Kind.MISSING, "chunk is missing");
    } catch (CorruptBlobException e) {
      return new ChunkCheck(c, 0, VerifyReport.Kind.CORRUPT, e.reason());
    }
  }

  private Damage note(String key, VerifyReport.Kind kind, String reason) {
    return damage.computeIfAbsent(key, k -> new Damage(k, kind, reason, new LinkedHashSet<>()));
  }

  private long countOrphans() throws IOException {
    long n = 0;
    try (Stream<BlobInfo> s = repo.store().list(BlobKeys.CHUNKS)) {
      n += s.filter(b -> {
        ChunkId id = BlobKeys.idOf(b.key());
        return id != null && !chunksOk.contains(id) && !chunksBad.containsKey(id);
      }).count();
    }
    try (Stream<BlobInfo> s = repo.store().list(BlobKeys.INDEX)) {
      n += s.filter(b -> {
        ChunkId id = BlobKeys.idOf(b.key());
        return id != null && !subtreeDamage.containsKey(id);
      }).count();
    }
    return n;
  }
}
