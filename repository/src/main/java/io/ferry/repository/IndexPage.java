package io.ferry.repository;

import java.util.Arrays;

/**
 * One page of a Merkle disk index: its level (0 = leaf of chunk ids) and F ids of 32 bytes, held
 * as one flat array. Content layout (docs/formats.md §4): level, 3 reserved bytes, entry count
 * (trailing ZERO entries are not written), ids.
 */
final class IndexPage {
  static final int HEADER = 8;
  final int level;
  final int fanout;
  final byte[] ids;

  IndexPage(int level, int fanout) {
    this(level, fanout, new byte[fanout * ChunkId.LENGTH]);
  }

  private IndexPage(int level, int fanout, byte[] ids) {
    this.level = level;
    this.fanout = fanout;
    this.ids = ids;
  }

  IndexPage copy() {
    return new IndexPage(level, fanout, ids.clone());
  }

  ChunkId get(int j) {
    return ChunkId.read(ids, j * ChunkId.LENGTH);
  }

  boolean isZeroAt(int j) {
    return ChunkId.ZERO.matches(ids, j * ChunkId.LENGTH);
  }

  void set(int j, ChunkId id) {
    id.copyTo(ids, j * ChunkId.LENGTH);
  }

  /** True if entry {@code j} of this page and of {@code other} are the same id. */
  boolean sameAt(int j, IndexPage other) {
    int off = j * ChunkId.LENGTH;
    return Arrays.equals(ids, off, off + ChunkId.LENGTH, other.ids, off, off + ChunkId.LENGTH);
  }

  /** Sets entries {@code from} … F−1 to ZERO. */
  void clearFrom(int from) {
    if (from < fanout) Arrays.fill(ids, Math.max(0, from) * ChunkId.LENGTH, ids.length, (byte) 0);
  }

  /** Number of entries up to the last non-ZERO one. */
  int entryCount() {
    for (int j = fanout - 1; j >= 0; j--) if (!isZeroAt(j)) return j + 1;
    return 0;
  }

  boolean isZero() {
    return entryCount() == 0;
  }

  byte[] encode() {
    int n = entryCount();
    byte[] out = new byte[HEADER + n * ChunkId.LENGTH];
    out[0] = (byte) level;
    BlobFrame.putInt(out, 4, n);
    System.arraycopy(ids, 0, out, HEADER, n * ChunkId.LENGTH);
    return out;
  }

  static int maxEncodedLength(int fanout) {
    return HEADER + fanout * ChunkId.LENGTH;
  }

  /** What is wrong with the layout of page content, or null if it is well-formed (the caller names the key). */
  static String problem(byte[] content, int expectedLevel, int fanout) {
    if (content.length < HEADER) return "index page of " + content.length + " bytes is shorter than its 8-byte header";
    if ((content[0] & 0xff) != expectedLevel) return "index page has level " + (content[0] & 0xff) + " where level " + expectedLevel + " was expected";
    if (content[1] != 0 || content[2] != 0 || content[3] != 0) return "index page reserved bytes are not zero";
    int n = BlobFrame.getInt(content, 4);
    if (n < 1 || n > fanout) return "index page entry count " + Integer.toUnsignedString(n) + " is outside 1 … " + fanout;
    if (content.length != HEADER + n * ChunkId.LENGTH) return "index page of " + content.length + " bytes does not hold " + n + " ids";
    return null;
  }

  static IndexPage decode(byte[] content, int level, int fanout) {
    IndexPage p = new IndexPage(level, fanout);
    System.arraycopy(content, HEADER, p.ids, 0, content.length - HEADER);
    return p;
  }
}
