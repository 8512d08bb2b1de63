package io.ferry.protocol;

import java.time.Instant;
import java.util.List;

/**
 * A recovery point a source agent committed to a repository.
 *
 * @param createdAt when it was committed
 * @param dataAt when its data was frozen (the start of the cycle, just before the checkpoint): what RPO counts from
 */
public record PointReport(String id, String repository, Instant createdAt, String consistency, String mode,
                          String parentId, long bytesRead, long bytesStored, List<String> disks, Instant dataAt) {
    public PointReport {
        disks = disks == null ? List.of() : List.copyOf(disks);
    }
}
