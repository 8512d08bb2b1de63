package io.ferry.repository;

import java.util.List;
import java.util.Map;

/** What a writer asks {@link Repository#commitPoint} to commit; the repository adds id and time. */
public record PointDraft(String machine, Consistency consistency, String parentId, List<DiskRef> disks, Map<String, String> attributes) {
  public PointDraft {
    disks = List.copyOf(disks);
    attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
  }
}
