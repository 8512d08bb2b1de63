package io.ferry.repository;

import java.util.Objects;

/** The root of a disk index: root page id (ZERO for an all-zero disk), number of page levels, disk size in bytes. */
public record IndexRef(ChunkId root, int depth, long diskSize) {
  public IndexRef {
    Objects.requireNonNull(root, "root");
    if (depth < 1) throw new IllegalArgumentException("index depth must be >= 1, got " + depth);
    if (diskSize < 0) throw new IllegalArgumentException("disk size must be >= 0, got " + diskSize);
  }
}
