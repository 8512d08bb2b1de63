package io.ferry.repository;

import java.io.IOException;
import java.util.BitSet;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Builds a disk index copy-on-write from an optional parent. {@link #set} only records the change
 * in a per-leaf draft (no I/O); {@link #commit} overlays the drafts on the parent's leaves, writes
 * the changed leaves, then their ancestors level by level up to the root (docs/formats.md §4).
 * Memory: 32 bytes per chunk of every touched leaf.
 */
final class MerkleIndexBuilder implements IndexBuilder {
  private final IndexPages pages;
  private final MerkleIndex parent; // nullable
  private final long diskSize;
  private final int fanout;
  private final int shift;
  private final long chunkCount;
  private final int depth;
  private final ConcurrentHashMap<Long, Draft> drafts = new ConcurrentHashMap<>();
  private volatile boolean committed;

  /** The changes to one leaf: new ids and which entries were set. */
  private static final class Draft {
    final byte[] ids;
    final BitSet set;

    Draft(int fanout) {
      ids = new byte[fanout * ChunkId.LENGTH];
      set = new BitSet(fanout);
    }
  }

  MerkleIndexBuilder(IndexPages pages, long diskSize, MerkleIndex parent) {
    if (diskSize < 0) throw new IllegalArgumentException("disk size must be >= 0, got " + diskSize);
    this.pages = pages;
    this.parent = parent;
    this.diskSize = diskSize;
    this.fanout = pages.fanout;
    this.shift = Integer.numberOfTrailingZeros(fanout);
    this.chunkCount = MerkleIndex.chunkCount(diskSize, pages.chunkSize);
    this.depth = MerkleIndex.depthFor(chunkCount, shift);
  }

  @Override
  public void set(long chunkIndex, ChunkId id) {
    if (committed) throw new IllegalStateException("index builder already committed");
    if (chunkIndex < 0 || chunkIndex >= chunkCount)
      throw new IndexOutOfBoundsException("chunk " + chunkIndex + " outside a disk of " + diskSize + " bytes (" + chunkCount + " chunks)");
    Draft d = drafts.computeIfAbsent(chunkIndex >>> shift, k -> new Draft(fanout));
    int j = (int) (chunkIndex & (fanout - 1));
    synchronized (d) {
      id.copyTo(d.ids, j * ChunkId.LENGTH);
      d.set.set(j);
    }
  }

  @Override
  public IndexRef commit() throws IOException {
    if (committed) throw new IllegalStateException("index builder already committed");
    committed = true;
    Map<Long, IndexPage> level = new TreeMap<>();
    for (Map.Entry<Long, Draft> e : drafts.entrySet()) {
      IndexPage page = inherited(0, e.getKey());
      Draft d = e.getValue();
      synchronized (d) {
        for (int j = d.set.nextSetBit(0); j >= 0; j = d.set.nextSetBit(j + 1))
          System.arraycopy(d.ids, j * ChunkId.LENGTH, page.ids, j * ChunkId.LENGTH, ChunkId.LENGTH);
      }
      level.put(e.getKey(), page);
    }
    ChunkId root = null;
    long entries = chunkCount; // valid entries at the current level
    for (int l = 0; l < depth; l++) {
      for (long n : forcedNodes(l, entries)) if (!level.containsKey(n)) level.put(n, inherited(l, n));
      Map<Long, IndexPage> next = new TreeMap<>();
      for (Map.Entry<Long, IndexPage> e : level.entrySet()) {
        long n = e.getKey();
        IndexPage page = e.getValue();
        page.clearFrom((int) Math.min(fanout, Math.max(0, entries - (n << shift))));
        ChunkId id = pages.write(page);
        if (l == depth - 1) {
          root = id;
        } else {
          long up = n >>> shift;
          IndexPage p = next.get(up);
          if (p == null) next.put(up, p = inherited(l + 1, up));
          p.set((int) (n & (fanout - 1)), id);
        }
      }
      level = next;
      entries = (entries + fanout - 1) >>> shift;
    }
    if (root == null) root = parent == null ? ChunkId.ZERO : parent.nodeId(depth - 1, 0);
    return new IndexRef(root, depth, diskSize);
  }

  /** Nodes that must be rebuilt even without a set: the path to the (new) last chunk and the path above the parent's root. */
  private long[] forcedNodes(int l, long entries) {
    if (parent == null || parent.diskSize() == diskSize) return new long[0];
    long last = Math.max(0, ((entries + fanout - 1) >>> shift) - 1);
    return l >= parent.depth() && last != 0 ? new long[] {last, 0} : new long[] {last};
  }

  /** A modifiable copy of node (level, n) as the parent has it, or an empty page. */
  private IndexPage inherited(int level, long n) throws IOException {
    return parent == null ? new IndexPage(level, fanout) : parent.pageCopy(level, n);
  }
}
