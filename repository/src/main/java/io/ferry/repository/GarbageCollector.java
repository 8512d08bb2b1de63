package io.ferry.repository;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Mark and sweep (docs/formats.md §8): mark every page and chunk reachable from every manifest,
 * then delete unmarked blobs older than the grace period, and stale temporary files. Any
 * unreadable manifest or page aborts before a single delete: what it references is unknown.
 */
final class GarbageCollector {
  private final Repository repo;
  private final BlobStore store;
  private final Set<ChunkId> pagesMarked = new HashSet<>(); // exact: decides which subtrees were walked
  private final LongHashSet chunksMarked = new LongHashSet(); // 8-byte prefixes: a collision only keeps garbage

  GarbageCollector(Repository repo) {
    this.repo = repo;
    this.store = repo.store();
  }

  GcReport run(Duration grace, Instant now) throws IOException {
    if (grace.isNegative()) throw new IllegalArgumentException("GC grace period must not be negative, got " + grace);
    Instant cutoff = now.minus(grace);
    List<String> ids = repo.pointIds();
    for (String id : ids) mark(id);

    long deleted = 0, freed = 0, young = 0;
    for (String prefix : List.of(BlobKeys.CHUNKS, BlobKeys.INDEX)) {
      try (Stream<BlobInfo> s = store.list(prefix)) {
        for (Iterator<BlobInfo> it = s.iterator(); it.hasNext(); ) {
          BlobInfo b = it.next();
          ChunkId id = BlobKeys.idOf(b.key());
          if (id == null) continue;
          boolean marked = prefix.equals(BlobKeys.CHUNKS) ? chunksMarked.contains(LongHashSet.prefix(id)) : pagesMarked.contains(id);
          if (marked) continue;
          if (b.modified().isBefore(cutoff)) {
            store.delete(b.key());
            deleted++;
            freed += b.size();
          } else {
            young++;
          }
        }
      }
    }
    long temps = 0, tempBytes = 0;
    try (Stream<BlobInfo> s = store.temporaries()) {
      for (Iterator<BlobInfo> it = s.iterator(); it.hasNext(); ) {
        BlobInfo t = it.next();
        if (t.modified().isBefore(cutoff)) {
          store.deleteTemporary(t.key());
          temps++;
          tempBytes += t.size();
        }
      }
    }
    store.sync();
    return new GcReport(ids.size(), pagesMarked.size(), chunksMarked.size(), deleted, freed, young, temps, tempBytes);
  }

  private void mark(String pointId) throws IOException {
    Optional<PointManifest> m;
    try {
      m = repo.readManifest(pointId);
    } catch (CorruptBlobException e) {
      throw refused("the manifest of point " + pointId + " is unreadable (" + e.reason() + ")", e);
    }
    if (m.isEmpty()) return;
    for (DiskRef d : m.get().disks()) {
      try {
        mark(d.index().root(), d.index().depth() - 1);
      } catch (MissingBlobException | CorruptBlobException e) {
        throw refused("disk " + d.name() + " of point " + pointId + " has an unreadable index page: " + e.detail(), e);
      }
    }
  }

  private void mark(ChunkId page, int level) throws IOException {
    if (page.isZero() || !pagesMarked.add(page)) return;
    IndexPage p = repo.pages().read(page, level);
    for (int j = 0; j < p.fanout; j++) {
      if (p.isZeroAt(j)) continue;
      ChunkId e = p.get(j);
      if (level == 0) chunksMarked.add(LongHashSet.prefix(e));
      else mark(e, level - 1);
    }
  }

  private RepositoryException refused(String why, Throwable cause) {
    return new RepositoryException("GC of repository " + repo.name() + " refused, nothing was deleted: " + why,
        "run `ferry repo verify`; restore or delete the damaged point before collecting garbage", cause);
  }
}
