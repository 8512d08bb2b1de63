package io.ferry.repository;

import java.util.List;

/**
 * What {@link Repository#verify} found: every damaged blob with the points (and disks) that
 * reference it, and counts of orphan blobs and temporary files (not damage: GC removes them).
 */
public record VerifyReport(int pointsChecked, long blobsChecked, long bytesChecked, List<DamagedBlob> damaged, long orphanBlobs, long temporaryFiles) {
  public VerifyReport {
    damaged = List.copyOf(damaged);
  }

  public enum Kind {
    MISSING,
    CORRUPT
  }

  /** A point and disk that cannot be restored completely because of a damaged blob; disk is null for the manifest itself. */
  public record AffectedPoint(String pointId, String disk) {}

  public record DamagedBlob(String key, Kind kind, String reason, List<AffectedPoint> affected) {
    public DamagedBlob {
      affected = List.copyOf(affected);
    }

    /** Distinct point ids affected, sorted. */
    public List<String> pointIds() {
      return affected.stream().map(AffectedPoint::pointId).distinct().sorted().toList();
    }
  }

  public boolean clean() {
    return damaged.isEmpty();
  }

  /** The damaged blob under {@code key}, or null. */
  public DamagedBlob damage(String key) {
    return damaged.stream().filter(d -> d.key().equals(key)).findFirst().orElse(null);
  }
}
