package io.ferry.repository;

import java.io.IOException;
import java.util.stream.LongStream;

/**
 * A committed disk index: a Merkle tree of {@link IndexPage}s read lazily through {@link
 * IndexPages} (docs/formats.md §4). Node (level, n) covers chunks [n·F^(level+1), (n+1)·F^(level+1));
 * the addressing does not depend on the depth, which is what lets a child index share pages with a
 * parent of another size.
 */
final class MerkleIndex implements DiskIndex {
  final IndexPages pages;
  final IndexRef ref;
  final int fanout;
  final int shift;
  final long chunkCount;

  MerkleIndex(IndexPages pages, IndexRef ref) {
    this.pages = pages;
    this.ref = ref;
    this.fanout = pages.fanout;
    this.shift = Integer.numberOfTrailingZeros(fanout);
    this.chunkCount = chunkCount(ref.diskSize(), pages.chunkSize);
    int expected = depthFor(chunkCount, shift);
    if (ref.depth() != expected)
      throw new IllegalArgumentException("index depth " + ref.depth() + " does not match disk size " + ref.diskSize() + " (expected depth " + expected + ")");
  }

  static long chunkCount(long diskSize, int chunkSize) {
    return (diskSize + chunkSize - 1) / chunkSize;
  }

  /** The smallest d ≥ 1 with F^d ≥ chunkCount. */
  static int depthFor(long chunkCount, int shift) {
    int d = 1;
    while (shift * d < 63 && chunkCount > 1L << (shift * d)) d++;
    return d;
  }

  /** Number of nodes at {@code level} of a tree over {@code chunkCount} chunks. */
  static long nodesAt(long chunkCount, int level, int shift) {
    long n = chunkCount;
    for (int l = 0; l <= level; l++) n = (n + (1L << shift) - 1) >>> shift;
    return n;
  }

  @Override
  public long diskSize() {
    return ref.diskSize();
  }

  @Override
  public int chunkSize() {
    return pages.chunkSize;
  }

  @Override
  public long chunkCount() {
    return chunkCount;
  }

  int depth() {
    return ref.depth();
  }

  @Override
  public IndexRef ref() {
    return ref;
  }

  @Override
  public ChunkId chunk(long i) throws IOException {
    if (i < 0 || i >= chunkCount) throw new IndexOutOfBoundsException("chunk " + i + " outside disk of " + chunkCount + " chunks");
    return nodeId(-1, i);
  }

  /** The id of node (level, n) for −1 ≤ level < depth (level −1 = chunk n). */
  ChunkId nodeId(int level, long n) throws IOException {
    int top = depth() - 1;
    if (level == top) return n == 0 ? ref.root() : ChunkId.ZERO;
    ChunkId id = ref.root();
    for (int l = top; l > level; l--) {
      if (id.isZero()) return ChunkId.ZERO;
      long slot = (n >>> (shift * (l - level - 1))) & (fanout - 1);
      id = pages.read(id, l).get((int) slot);
    }
    return id;
  }

  /** The entries of node (level, n) of a tree of any depth; a copy the caller may modify. */
  IndexPage pageCopy(int level, long n) throws IOException {
    IndexPage page = new IndexPage(level, fanout);
    if (level >= depth()) {
      // above this tree's root: node (level, 0) holds the root's ancestor chain, all else is zero
      if (n == 0 && level == depth()) page.set(0, ref.root());
      return page;
    }
    ChunkId id = nodeId(level, n);
    return id.isZero() ? page : pages.read(id, level).copy();
  }

  @Override
  public LongStream differingChunks(DiskIndex other) throws IOException {
    if (!(other instanceof MerkleIndex o) || o.pages != pages) return bruteForceDiff(other);
    LongStream.Builder out = LongStream.builder();
    int top = Math.max(depth(), o.depth()) - 1;
    diff(o, top, 0, topId(this, top), topId(o, top), out);
    return out.build();
  }

  private static ChunkId topId(MerkleIndex x, int top) {
    return x.depth() - 1 == top ? x.ref.root() : null; // null: a virtual node above x's root
  }

  /** Compares node (level, n) of this (id {@code a}) and {@code o} (id {@code b}); null ids are virtual nodes. */
  private void diff(MerkleIndex o, int level, long n, ChunkId a, ChunkId b, LongStream.Builder out) throws IOException {
    if (a != null && b != null && a.equals(b)) return;
    IndexPage pa = a == null ? pageCopy(level, n) : a.isZero() ? new IndexPage(level, fanout) : pages.read(a, level);
    IndexPage pb = b == null ? o.pageCopy(level, n) : b.isZero() ? new IndexPage(level, fanout) : pages.read(b, level);
    for (int j = 0; j < fanout; j++) {
      long child = (n << shift) + j;
      if (level == 0) {
        if (!pa.sameAt(j, pb)) out.add(child);
        continue;
      }
      boolean va = a == null && child == 0 && level - 1 > depth() - 1;
      boolean vb = b == null && child == 0 && level - 1 > o.depth() - 1;
      if (!va && !vb && pa.sameAt(j, pb)) continue;
      diff(o, level - 1, child, va ? null : pa.get(j), vb ? null : pb.get(j), out);
    }
  }

  private LongStream bruteForceDiff(DiskIndex other) throws IOException {
    if (other.chunkSize() != chunkSize()) throw new IllegalArgumentException("cannot diff indexes of chunk sizes " + chunkSize() + " and " + other.chunkSize());
    LongStream.Builder out = LongStream.builder();
    long n = Math.max(chunkCount, other.chunkCount());
    for (long i = 0; i < n; i++) {
      ChunkId x = i < chunkCount ? chunk(i) : ChunkId.ZERO;
      ChunkId y = i < other.chunkCount() ? other.chunk(i) : ChunkId.ZERO;
      if (!x.equals(y)) out.add(i);
    }
    return out.build();
  }

  @Override
  public String toString() {
    return "MerkleIndex[" + ref + "]";
  }
}
