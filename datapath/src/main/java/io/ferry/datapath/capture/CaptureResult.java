package io.ferry.datapath.capture;

import io.ferry.repository.PointManifest;

import java.time.Duration;
import java.util.List;

/** The committed point of one capture cycle and what it cost. */
public record CaptureResult(PointManifest point, CaptureMode mode, List<DiskCaptureStats.Snapshot> disks,
                            Duration elapsed) {
    public long bytesRead() {
        return disks.stream().mapToLong(DiskCaptureStats.Snapshot::bytesRead).sum();
    }

    public long bytesStored() {
        return disks.stream().mapToLong(DiskCaptureStats.Snapshot::bytesStored).sum();
    }

    public long chunksStored() {
        return disks.stream().mapToLong(DiskCaptureStats.Snapshot::chunksStored).sum();
    }

    public long plainBytesStored() {
        return disks.stream().mapToLong(DiskCaptureStats.Snapshot::plainBytesStored).sum();
    }

    public long chunksAlreadyStored() {
        return disks.stream().mapToLong(DiskCaptureStats.Snapshot::chunksAlreadyStored).sum();
    }
}
