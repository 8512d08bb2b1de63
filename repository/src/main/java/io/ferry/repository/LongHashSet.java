package io.ferry.repository;

/**
 * An open-addressing set of longs. GC marks the first 8 bytes of each referenced id here: 16
 * bytes per id instead of ~100 for a {@code HashSet<ChunkId>}; a collision can only keep an
 * unreferenced blob, never delete a referenced one.
 */
final class LongHashSet {
  private long[] slots = new long[1 << 10];
  private boolean hasZero;
  private int size;

  static long prefix(ChunkId id) {
    byte[] b = id.bytes();
    long v = 0;
    for (int i = 0; i < 8; i++) v = v << 8 | (b[i] & 0xff);
    return v;
  }

  boolean add(long v) {
    if (v == 0) {
      boolean added = !hasZero;
      hasZero = true;
      if (added) size++;
      return added;
    }
    if (2 * (size + 1) > slots.length) grow();
    if (!insert(slots, v)) return false;
    size++;
    return true;
  }

  boolean contains(long v) {
    if (v == 0) return hasZero;
    int mask = slots.length - 1;
    for (int i = mix(v) & mask; ; i = (i + 1) & mask) {
      if (slots[i] == v) return true;
      if (slots[i] == 0) return false;
    }
  }

  int size() {
    return size;
  }

  private static boolean insert(long[] table, long v) {
    int mask = table.length - 1;
    for (int i = mix(v) & mask; ; i = (i + 1) & mask) {
      if (table[i] == v) return false;
      if (table[i] == 0) {
        table[i] = v;
        return true;
      }
    }
  }

  private void grow() {
    long[] bigger = new long[slots.length * 2];
    for (long v : slots) if (v != 0) insert(bigger, v);
    slots = bigger;
  }

  private static int mix(long v) {
    long h = v * 0x9E3779B97F4A7C15L;
    return (int) (h ^ (h >>> 32));
  }
}
