package io.ferry.repository;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/** A committed recovery point (docs/formats.md §6). */
public record PointManifest(String id, String machine, Instant createdAt, Consistency consistency, String parentId, List<DiskRef> disks, Map<String, String> attributes) {
  public PointManifest {
    disks = List.copyOf(disks);
    attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
  }

  /** The disk named {@code name}, if the point has it. */
  public java.util.Optional<DiskRef> findDisk(String name) {
    for (DiskRef d : disks) if (d.name().equals(name)) return java.util.Optional.of(d);
    return java.util.Optional.empty();
  }

  /** The disk named {@code name}; {@link NoSuchElementException} naming the point if absent. */
  public DiskRef disk(String name) {
    for (DiskRef d : disks) if (d.name().equals(name)) return d;
    throw new NoSuchElementException("point " + id + " of " + machine + " has no disk " + name + " (disks: " + disks.stream().map(DiskRef::name).toList() + ")");
  }
}
