package io.ferry.datapath.capture;

import io.ferry.repository.ProgressListener;
import io.ferry.datapath.RateLimiter;
import io.ferry.nbd.NbdAddress;
import io.ferry.nbd.NbdClient;
import io.ferry.repository.DiskIndex;
import io.ferry.repository.DiskRef;
import io.ferry.repository.IndexBuilder;
import io.ferry.repository.PointDraft;
import io.ferry.repository.PointManifest;
import io.ferry.repository.Repository;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Captures disks served by any NBD server (a {@code qemu-nbd} export of an image file, an
 * nbdkit plugin…) without change tracking: the first point is full, later ones are resyncs that
 * compare every allocated chunk with the previous point. Used for images outside libvirt and by
 * the benchmark; {@link MachineCapture} is the path for domains.
 */
public final class NbdDiskCapture {
    /** One disk to capture: its name in the point and where it is served. */
    public record Disk(String name, NbdAddress address, String exportName) { }

    private final Repository repo;
    private final CaptureOptions options;

    public NbdDiskCapture(Repository repo, CaptureOptions options) {
        this.repo = repo;
        this.options = options;
    }

    public CaptureResult capture(String machine, List<Disk> disks, ProgressListener progress) throws IOException {
        Instant start = Instant.now();
        PointManifest parent = MachineCapture.latestPoint(repo, machine);
        CaptureMode mode = parent == null ? CaptureMode.FULL : CaptureMode.RESYNC;
        List<DiskRef> refs = new ArrayList<>();
        List<DiskCaptureStats.Snapshot> stats = new ArrayList<>();
        ExecutorService workers = Executors.newFixedThreadPool(options.workers());
        try {
            ChunkPipeline pipeline = new ChunkPipeline(repo, workers, options.readsInFlight(),
                    new RateLimiter(options.bytesPerSecond()));
            for (Disk d : disks) {
                try (NbdClient nbd = NbdClient.connect(d.address(), d.exportName(), List.of(ReadPlan.BASE_ALLOCATION))) {
                    long size = nbd.size();
                    int cs = repo.chunkSize();
                    ReadPlan plan = ReadPlan.allocated(nbd, size, cs);
                    DiskRef parentDisk = parent == null ? null : parent.findDisk(d.name()).orElse(null);
                    DiskIndex parentIndex = parentDisk == null || parentDisk.size() != size
                            ? null : repo.openIndex(parentDisk.index());
                    IndexBuilder index = repo.newIndex(size, parentIndex);
                    if (parentIndex != null) {
                        plan.zeroUnread(index, parentIndex, size, cs);
                    }
                    stats.add(pipeline.run(machine, d.name(), nbd, plan, size, index, parentIndex, null, progress)
                            .snapshot());
                    refs.add(new DiskRef(d.name(), size, index.commit()));
                }
            }
        } finally {
            workers.shutdownNow();
        }
        Map<String, String> attrs = new LinkedHashMap<>();
        attrs.put(MachineCapture.ATTR_MODE, mode.name().toLowerCase());
        attrs.put("source", "nbd");
        PointManifest point = repo.commitPoint(new PointDraft(machine, options.consistency(),
                parent == null ? null : parent.id(), refs, attrs));
        return new CaptureResult(point, mode, stats, Duration.between(start, Instant.now()));
    }
}
