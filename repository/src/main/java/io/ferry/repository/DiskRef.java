package io.ferry.repository;

import java.util.Objects;

/** One disk of a recovery point: its name (e.g. {@code vda}), size in bytes and index. */
public record DiskRef(String name, long size, IndexRef index) {
  public DiskRef {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(index, "index");
    if (size != index.diskSize())
      throw new IllegalArgumentException("disk " + name + ": size " + size + " differs from its index's disk size " + index.diskSize());
  }
}
