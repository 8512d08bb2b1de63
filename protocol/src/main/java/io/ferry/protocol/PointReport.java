package io.ferry.protocol;

import java.time.Instant;
import java.util.List;

/** A recovery point a source agent committed to a repository. */
public record PointReport(String id, String repository, Instant createdAt, String consistency, String mode,
                          String parentId, long bytesRead, long bytesStored, List<String> disks) {
    public PointReport {
        disks = disks == null ? List.of() : List.copyOf(disks);
    }
}
