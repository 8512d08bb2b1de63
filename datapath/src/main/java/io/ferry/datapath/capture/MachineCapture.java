package io.ferry.datapath.capture;

import io.ferry.repository.ProgressListener;
import io.ferry.datapath.RateLimiter;
import io.ferry.hypervisor.CheckpointHealth;
import io.ferry.hypervisor.CheckpointInfo;
import io.ferry.hypervisor.DiskInfo;
import io.ferry.hypervisor.DomainInfo;
import io.ferry.hypervisor.DomainState;
import io.ferry.hypervisor.Libvirt;
import io.ferry.nbd.Extent;
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
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * One capture cycle of one domain: all its disks at one instant into one recovery point.
 *
 * <p>The mode follows from the machine's latest point: none means {@link CaptureMode#FULL};
 * a point whose checkpoint is healthy means {@link CaptureMode#INCREMENTAL}; anything else
 * (checkpoint or bitmap missing or inconsistent, disks added, removed or resized) means the
 * change log cannot be trusted and the capture fails with {@link ResyncRequiredException},
 * unless resync was asked for, in which case every allocated chunk is read and compared with
 * the last point ({@link CaptureMode#RESYNC}).
 */
public final class MachineCapture {
    /** Prefix of every checkpoint Ferry creates; others are never touched. */
    public static final String CHECKPOINT_PREFIX = "ferry-";
    /** Point attribute naming the checkpoint the point was taken at. */
    public static final String ATTR_CHECKPOINT = "checkpoint";
    public static final String ATTR_MODE = "mode";
    public static final String ATTR_DOMAIN_UUID = "domainUuid";
    /** The domain's inactive libvirt XML when the point was taken (formats.md §6). */
    public static final String ATTR_DOMAIN_XML = "domainXml";

    private static final System.Logger LOG = System.getLogger(MachineCapture.class.getName());
    private static final DateTimeFormatter CP_TIME =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmssSSS'Z'").withZone(ZoneOffset.UTC);

    private final Libvirt libvirt;
    private final Repository repo;
    private final CaptureOptions options;

    public MachineCapture(Libvirt libvirt, Repository repo, CaptureOptions options) {
        this.libvirt = Objects.requireNonNull(libvirt);
        this.repo = Objects.requireNonNull(repo);
        this.options = Objects.requireNonNull(options);
    }

    /** The latest committed point of {@code machine}, or null. */
    public static PointManifest latestPoint(Repository repo, String machine) throws IOException {
        return repo.latestPoint(machine).orElse(null);
    }

    /** Decides the mode of the next capture without doing it. */
    public CaptureMode plan(String domainName) throws IOException {
        DomainInfo dom = libvirt.domain(domainName);
        return decide(dom, latestPoint(repo, dom.name()));
    }

    public CaptureResult capture(String domainName, ProgressListener progress) throws IOException {
        return capture(domainName, null, progress);
    }

    /**
     * Captures {@code domainName} only if it still is the domain with UUID {@code expectedUuid}
     * (null: any): a domain undefined and defined again under the same name is another VM, whose
     * data must not become a point of the first.
     */
    public CaptureResult capture(String domainName, String expectedUuid, ProgressListener progress) throws IOException {
        DomainInfo dom = libvirt.domain(domainName);
        if (expectedUuid != null && !expectedUuid.equalsIgnoreCase(dom.uuid())) {
            throw new IOException("capture of domain '" + dom.name() + "' refused: it now has UUID " + dom.uuid()
                    + ", not " + expectedUuid + " (undefined and defined again?); hint: disable protection of the old"
                    + " machine and protect the new domain");
        }
        try (CaptureLock lock = CaptureLock.acquire(dom.name())) {
            endStaleBackupJob(dom);
            return captureLocked(dom, progress);
        }
    }

    /**
     * Holding the lock proves no live Ferry capture owns a backup job on this domain: a Ferry
     * backup job (its NBD socket in Ferry's socket directory) still running was left by a
     * capture that died, and would block every later capture, so it is ended. Anybody else's
     * job is left alone and the capture refused.
     */
    private void endStaleBackupJob(DomainInfo dom) throws IOException {
        if (!dom.state().active()) {
            return;
        }
        String operation = libvirt.activeJobOperation(dom.name());
        if (operation == null) {
            return;
        }
        String xml = "Backup".equals(operation) ? libvirt.backupXml(dom.name()) : null;
        if (xml == null || !xml.contains(Libvirt.SOCKET_DIR.toString() + "/")) {
            throw new IOException("capture of domain '" + dom.name() + "' refused: the domain has an active "
                    + operation + " job that Ferry did not start; hint: wait for it to finish, or end it with"
                    + " `virsh domjobabort " + dom.name() + "` if it is abandoned");
        }
        libvirt.abortJob(dom.name());
        if (!libvirt.awaitNoJob(dom.name(), Duration.ofSeconds(30))) {
            throw new IOException("capture of domain '" + dom.name() + "': the backup job left by a capture that"
                    + " died did not end within 30 s; hint: check `virsh domjobinfo " + dom.name() + "`");
        }
        LOG.log(System.Logger.Level.WARNING, "ended a backup job of {0} left by a capture that died", dom.name());
    }

    private CaptureResult captureLocked(DomainInfo dom, ProgressListener progress) throws IOException {
        Instant start = Instant.now();
        if (dom.disks().isEmpty()) {
            throw new IOException("capture of domain '" + dom.name() + "': it has no disks to capture;"
                    + " hint: check `virsh domblklist " + dom.name() + "`");
        }
        PointManifest parent = latestPoint(repo, dom.name());
        CaptureMode mode = decide(dom, parent);
        String parentCheckpoint = parent == null ? null : parent.attributes().get(ATTR_CHECKPOINT);
        String newCheckpoint = CHECKPOINT_PREFIX + CP_TIME.format(Instant.now());
        LOG.log(System.Logger.Level.INFO, "capturing {0}: mode {1}, parent point {2}, checkpoint {3} -> {4}",
                dom.name(), mode, parent == null ? "-" : parent.id(), parentCheckpoint, newCheckpoint);

        List<DiskRef> refs = new ArrayList<>();
        List<DiskCaptureStats.Snapshot> stats = new ArrayList<>();
        PointManifest committed;
        boolean checkpointCreated = false;
        ExecutorService workers = Executors.newFixedThreadPool(options.workers(), r -> {
            Thread t = new Thread(r, "ferry-capture-worker");
            t.setDaemon(true);
            return t;
        });
        try {
            CaptureSource source;
            if (dom.state() != DomainState.SHUTOFF && !dom.state().active()) {
                throw new IOException("capture of domain '" + dom.name() + "' refused: it is "
                        + dom.state().name().toLowerCase() + "; hint: capture it running, paused or shut off"
                        + " (`virsh destroy " + dom.name() + "` to power off a crashed domain)");
            }
            if (dom.state() == DomainState.SHUTOFF) {
                checkpointCreated = true; // set first: creating it may half-succeed and then fail
                libvirt.createCheckpoint(dom.name(), newCheckpoint);
                source = new OfflineDiskSource(dom.name(), dom.disks(),
                        mode == CaptureMode.INCREMENTAL ? parentCheckpoint : null);
            } else {
                checkpointCreated = true; // set first: backup-begin may create it and then fail
                source = new LiveBackupSource(dom.name(), libvirt.beginBackup(dom.name(),
                        mode == CaptureMode.INCREMENTAL ? parentCheckpoint : null, newCheckpoint, null));
            }
            try (source) {
                ChunkPipeline pipeline = new ChunkPipeline(repo, workers, options.readsInFlight(),
                        new RateLimiter(options.bytesPerSecond()));
                for (DiskInfo disk : dom.disks()) {
                    DiskIndex parentIndex = null;
                    DiskRef parentDisk = parent == null || mode == CaptureMode.FULL ? null
                            : parent.findDisk(disk.target()).orElse(null); // null: a disk new since the parent
                    if (parentDisk != null && (disk.capacity() <= 0 || parentDisk.size() == disk.capacity())) {
                        parentIndex = repo.openIndex(parentDisk.index());
                    }
                    DiskCaptureStats s = captureDisk(dom.name(), disk.target(), source, mode, parentIndex,
                            pipeline, progress, refs);
                    stats.add(s.snapshot());
                }
            }
            Map<String, String> attrs = new LinkedHashMap<>();
            attrs.put(ATTR_CHECKPOINT, newCheckpoint);
            attrs.put(ATTR_MODE, mode.name().toLowerCase());
            attrs.put(ATTR_DOMAIN_UUID, dom.uuid());
            attrs.put("domainState", dom.state().name().toLowerCase());
            // the machine's configuration as of this point: what a recovery VM is defined from
            attrs.put(ATTR_DOMAIN_XML, libvirt.inactiveXml(dom.name()));
            committed = repo.commitPoint(new PointDraft(dom.name(), options.consistency(),
                    parent == null ? null : parent.id(), refs, attrs));
        } catch (IOException | RuntimeException e) {
            if (checkpointCreated) {
                dropCheckpointQuietly(dom.name(), newCheckpoint);
            }
            throw e;
        } finally {
            workers.shutdownNow();
        }
        trimCheckpoints(dom.name(), newCheckpoint);
        return new CaptureResult(committed, mode, stats, Duration.between(start, Instant.now()));
    }

    private DiskCaptureStats captureDisk(String machine, String target, CaptureSource source, CaptureMode mode,
                                         DiskIndex parentIndex, ChunkPipeline pipeline, ProgressListener progress,
                                         List<DiskRef> refs) throws IOException {
        String dirty = mode == CaptureMode.INCREMENTAL ? source.dirtyContext(target) : null;
        List<String> contexts = dirty == null ? List.of(ReadPlan.BASE_ALLOCATION) : List.of(ReadPlan.BASE_ALLOCATION, dirty);
        try (NbdClient nbd = NbdClient.connect(source.address(target), source.exportName(target), contexts)) {
            long size = nbd.size();
            int chunkSize = repo.chunkSize();
            ReadPlan plan;
            if (mode == CaptureMode.INCREMENTAL) {
                if (dirty == null || !nbd.metaContexts().contains(dirty)) {
                    throw new ResyncRequiredException(machine, "the dirty bitmap of disk " + target
                            + " is not offered by " + source.describe());
                }
                plan = ReadPlan.ranges(nbd.blockStatus(dirty, 0, size), size, chunkSize, Extent::isDirty);
            } else {
                plan = ReadPlan.allocated(nbd, size, chunkSize);
            }
            IndexBuilder index = repo.newIndex(size, parentIndex);
            if (mode == CaptureMode.RESYNC && parentIndex != null) {
                plan.zeroUnread(index, parentIndex, size, chunkSize);
            }
            DiskCaptureStats stats = pipeline.run(machine, target, nbd, plan, size, index,
                    mode == CaptureMode.RESYNC ? parentIndex : null,
                    mode == CaptureMode.INCREMENTAL ? parentIndex : null, progress);
            refs.add(new DiskRef(target, size, index.commit()));
            return stats;
        }
    }

    private CaptureMode decide(DomainInfo dom, PointManifest parent) throws IOException {
        if (parent == null) {
            return CaptureMode.FULL;
        }
        String reason = untrustedReason(dom, parent);
        if (reason == null) {
            return options.resync() ? CaptureMode.RESYNC : CaptureMode.INCREMENTAL;
        }
        if (!options.resync()) {
            throw new ResyncRequiredException(dom.name(), reason);
        }
        LOG.log(System.Logger.Level.WARNING, "resyncing {0}: {1}", dom.name(), reason);
        return CaptureMode.RESYNC;
    }

    /** Why the change log since {@code parent} cannot be trusted, or null if it can. */
    private String untrustedReason(DomainInfo dom, PointManifest parent) {
        String cp = parent.attributes().get(ATTR_CHECKPOINT);
        if (cp == null) {
            return "point " + parent.id() + " names no checkpoint";
        }
        if (parent.disks().size() != dom.disks().size()) {
            return "the domain has " + dom.disks().size() + " disks, point " + parent.id() + " has "
                    + parent.disks().size();
        }
        for (DiskInfo d : dom.disks()) {
            DiskRef ref = parent.findDisk(d.target()).orElse(null);
            if (ref == null) {
                return "disk " + d.target() + " is not in point " + parent.id();
            }
            if (d.capacity() > 0 && ref.size() != d.capacity()) {
                return "disk " + d.target() + " changed size from " + ref.size() + " to " + d.capacity() + " bytes";
            }
        }
        CheckpointHealth health;
        try {
            health = libvirt.checkpointHealth(dom.name(), cp);
        } catch (RuntimeException e) {
            return "the health of checkpoint " + cp + " cannot be read: " + e.getMessage();
        }
        if (!health.ok()) {
            return "checkpoint " + cp + " of point " + parent.id() + " cannot be trusted: " + health.status()
                    + health.disks().stream().map(d -> " [" + d.target() + ": " + d.status() + " " + d.detail() + "]")
                    .reduce("", String::concat);
        }
        return null;
    }

    private void dropCheckpointQuietly(String domain, String checkpoint) {
        try {
            libvirt.deleteCheckpoint(domain, checkpoint);
        } catch (Exception e) {
            LOG.log(System.Logger.Level.WARNING, "could not delete checkpoint {0} of {1} after a failed capture: {2}",
                    checkpoint, domain, e.getMessage());
        }
    }

    /** Keeps the checkpoint chain short: only the checkpoint of the newest point stays. */
    private void trimCheckpoints(String domain, String keep) {
        try {
            for (CheckpointInfo cp : libvirt.checkpoints(domain)) {
                if (cp.name().startsWith(CHECKPOINT_PREFIX) && !cp.name().equals(keep)) {
                    libvirt.deleteCheckpoint(domain, cp.name());
                }
            }
        } catch (Exception e) {
            LOG.log(System.Logger.Level.WARNING, "could not trim old checkpoints of {0}: {1}", domain, e.getMessage());
        }
    }
}
