package io.ferry.agent;

import io.ferry.datapath.restore.DiskTarget;
import io.ferry.datapath.restore.Materializer;
import io.ferry.datapath.restore.NbdTarget;
import io.ferry.datapath.restore.PointDisk;
import io.ferry.datapath.restore.RawFileTarget;
import io.ferry.datapath.restore.RestoreResult;
import io.ferry.hypervisor.DiskInfo;
import io.ferry.hypervisor.DomainInfo;
import io.ferry.hypervisor.DomainState;
import io.ferry.hypervisor.Libvirt;
import io.ferry.protocol.ErrorInfo;
import io.ferry.protocol.RestoreAssignment;
import io.ferry.protocol.RestoreReport;
import io.ferry.repository.DiskRef;
import io.ferry.repository.PointManifest;
import io.ferry.repository.ProgressListener;
import io.ferry.repository.Repository;
import io.ferry.transport.blobs.RemoteBlobStore;
import io.ferry.transport.blobs.RetryingBlobStore;
import io.ferry.transport.tls.Tls;

import java.net.URI;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Failback: a point is written into the disks of a local shut-off domain — by digest (DELTA: only
 * differing chunks) or all of it (FULL) — and the domain is started if asked. The point comes
 * from a repository this agent keeps (the machine's own host) or, for a failback to another host,
 * from the host that keeps it, over the data channel; there the domain is created first if it
 * does not exist ({@link FailbackDomain}). One restore at a time per domain: a newer assignment
 * for the same domain waits until the running one ends. A restore that ended is kept in
 * {@code restores.json}: after an agent restart it is reported again, not run again. The domain
 * is started when the assignment says {@code start}, which may come after the write (the vault
 * first checks that the other copy stayed off).
 */
final class Restores {
    private static final System.Logger LOG = System.getLogger(Restores.class.getName());

    private final Libvirt libvirt;
    private final RecoveryRepositories repositories;
    private final int workers;
    private final AgentIdentity identity;
    private final RepositoryKeys keys;
    private final java.time.Duration timeout;
    private final java.nio.file.Path images;
    private final java.nio.file.Path consoles;
    private final Map<String, RestoreReport> reports = new ConcurrentHashMap<>();
    private final Set<String> busyDomains = ConcurrentHashMap.newKeySet();
    private final Map<String, java.time.Instant> failedAt = new ConcurrentHashMap<>();
    static final java.time.Duration RETRY_AFTER = java.time.Duration.ofSeconds(10);

    /** Restores that ended, kept in {@code restores.json} so an agent restart neither repeats nor forgets them. */
    private final java.nio.file.Path stateFile;

    Restores(Libvirt libvirt, RecoveryRepositories repositories, int workers, AgentIdentity identity, RepositoryKeys keys,
             java.time.Duration timeout, java.nio.file.Path images, java.nio.file.Path consoles, java.nio.file.Path stateFile) {
        this.stateFile = stateFile;
        load();
        this.libvirt = libvirt;
        this.repositories = repositories;
        this.workers = workers;
        this.identity = identity;
        this.keys = keys;
        this.timeout = timeout;
        this.images = images;
        this.consoles = consoles;
    }

    synchronized void reconcile(List<RestoreAssignment> wanted) {
        Set<String> ids = new HashSet<>();
        for (RestoreAssignment a : wanted) {
            ids.add(a.id());
            java.time.Instant failed = failedAt.get(a.id());
            if (failed != null && failed.plus(RETRY_AFTER).isBefore(java.time.Instant.now())) {
                reports.remove(a.id()); // a failed restore is tried again while the vault still wants it
                failedAt.remove(a.id());
            }
            RestoreReport known = reports.get(a.id());
            if (known != null && known.done() && !known.started() && a.start() && busyDomains.add(a.domain())) {
                try {
                    start(a, known); // written before; the vault now says go
                } finally {
                    busyDomains.remove(a.domain());
                }
                continue;
            }
            if (known != null || !busyDomains.add(a.domain())) continue;
            reports.put(a.id(), new RestoreReport(a.id(), false, a.pointId(), 0, 0, null));
            Thread.ofVirtual().name("restore-" + a.domain()).start(() -> {
                try {
                    restore(a);
                } finally {
                    busyDomains.remove(a.domain());
                }
            });
        }
        if (reports.keySet().removeIf(id -> !ids.contains(id) && (reports.get(id).done() || reports.get(id).error() != null))) save();
    }

    /** Starts the written domain (unless it runs already: an earlier start whose report was lost) and keeps the report. */
    private void start(RestoreAssignment a, RestoreReport written) {
        try {
            if (libvirt.state(a.domain()) != DomainState.RUNNING) libvirt.start(a.domain());
            reports.put(a.id(), written.asStarted());
            save();
            LOG.log(System.Logger.Level.INFO, "started {0} (point {1} written before)", a.domain(), written.pointId());
        } catch (RuntimeException e) {
            reports.put(a.id(), new RestoreReport(a.id(), true, written.pointId(), written.bytesWritten(), written.bytesTotal(),
                    ErrorInfo.of("START_FAILED", "cannot start " + a.domain() + " after writing point " + written.pointId() + ": "
                            + e.getMessage(), "see `virsh start " + a.domain() + "`; the vault asks again"), false));
            LOG.log(System.Logger.Level.WARNING, "cannot start " + a.domain(), e);
        }
    }

    /**
     * A failback to another location writes into an existing domain only if it looks like a copy of
     * the machine: the same disks, of the same sizes (a mistyped name must not overwrite another VM).
     */
    private static void requireCopyOf(DomainInfo dom, PointManifest point, RestoreAssignment a) {
        for (DiskRef d : point.disks()) {
            DiskInfo disk = dom.disks().stream().filter(x -> x.target().equals(d.name())).findFirst().orElse(null);
            if (disk == null || disk.capacity() != 0 && disk.capacity() != d.size()) {
                throw new AgentException("domain " + a.domain() + " exists on this host but is no copy of the machine in point "
                        + a.pointId() + ": " + (disk == null ? "it has no disk " + d.name() : "disk " + d.name() + " holds "
                        + disk.capacity() + " bytes, the point " + d.size()) + "; nothing was written",
                        "fail back under another name (--name) to create the machine, or remove " + a.domain() + " if it is an old copy");
            }
        }
    }

    private void load() {
        if (stateFile == null || !java.nio.file.Files.exists(stateFile)) return;
        try {
            RestoreReport[] kept = Json.MAPPER.readValue(stateFile.toFile(), RestoreReport[].class);
            for (RestoreReport r : kept) reports.put(r.id(), r);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "ignoring unreadable " + stateFile + ": " + e.getMessage());
        }
    }

    private synchronized void save() {
        if (stateFile == null) return;
        try {
            List<RestoreReport> ended = reports.values().stream().filter(RestoreReport::done).toList();
            PrivateFiles.write(stateFile, Json.MAPPER.writeValueAsBytes(ended));
        } catch (java.io.IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot keep the finished restores in " + stateFile + ": " + e.getMessage());
        }
    }

    List<RestoreReport> reports() {
        return new ArrayList<>(reports.values());
    }

    private void restore(RestoreAssignment a) {
        try {
            if (a.sourceHostId() == null) {
                Repository repo = repositories.repository(a.repository()).orElseThrow(() -> new AgentException(
                        "repository " + a.repository() + " is not kept on this agent", "the vault assigns it first; wait"));
                restore(a, repo);
            } else {
                try (Repository repo = Repository.open(new RetryingBlobStore(new RemoteBlobStore(
                        URI.create("https://" + a.sourceDataAddress()), a.repository(),
                        Tls.clientForPeer(identity.tls(), identity.ca(), a.sourceHostId()), timeout)),
                        keys.remote(a.repository(), a.sourceHostId(), a.encryptionKey()))) {
                    restore(a, repo);
                }
            }
        } catch (Exception e) {
            String hint = e instanceof AgentException ae ? ae.hint()
                    : e instanceof io.ferry.repository.RepositoryException re && re.hint() != null ? re.hint() : "see the agent log";
            failedAt.put(a.id(), java.time.Instant.now());
            reports.put(a.id(), new RestoreReport(a.id(), false, a.pointId(), 0, 0, ErrorInfo.of("RESTORE_FAILED",
                    "cannot write point " + a.pointId() + " into " + a.domain() + ": " + e.getMessage(), hint)));
            LOG.log(System.Logger.Level.WARNING, "restore of " + a.pointId() + " into " + a.domain() + " failed", e);
        }
    }

    private void restore(RestoreAssignment a, Repository repo) throws Exception {
        PointManifest point = repo.point(a.pointId()).orElseThrow(() -> new AgentException("point " + a.pointId()
                + " is not in repository " + a.repository(), "it may not have arrived yet"));
        boolean existed = libvirt.exists(a.domain());
        if (!existed) {
            if (!a.create()) {
                throw new AgentException("domain " + a.domain() + " does not exist on this host",
                        "fail back to another host (Ferry creates the machine there), or define " + a.domain() + " here");
            }
            FailbackDomain.define(libvirt, point, a.domain(), a.networkMapping(), images, consoles);
            LOG.log(System.Logger.Level.INFO, "defined {0} from point {1} (new disks in {2})", a.domain(), a.pointId(), images);
        }
        DomainInfo dom = libvirt.domain(a.domain());
        if (dom.state() != DomainState.SHUTOFF) {
            throw new AgentException("domain " + a.domain() + " is " + dom.state() + "; Ferry writes a point into its disks"
                    + " only while it is shut off, and wrote nothing", "shut it down (it is the old copy) and retry");
        }
        if (existed && a.create()) requireCopyOf(dom, point, a);
        long written = 0;
        long total = 0;
        Materializer mat = new Materializer(repo, workers);
        for (DiskRef d : point.disks()) {
            DiskInfo disk = dom.disks().stream().filter(x -> x.target().equals(d.name())).findFirst().orElseThrow(() ->
                    new AgentException("domain " + a.domain() + " has no disk " + d.name() + " (point " + a.pointId() + " has it)",
                            "attach a disk " + d.name() + " of " + d.size() + " bytes, or fail back to another host"));
            try (DiskTarget target = "raw".equals(disk.format()) ? RawFileTarget.open(disk.source())
                    : NbdTarget.open(disk.source(), disk.format())) {
                PointDisk pd = new PointDisk(repo, point, d.name());
                RestoreResult r = RestoreAssignment.FULL.equals(a.mode()) ? mat.overwrite(pd, target, ProgressListener.NONE)
                        : mat.inPlace(pd, target, ProgressListener.NONE);
                written += r.bytesWritten();
                total += r.size();
            }
            reports.put(a.id(), new RestoreReport(a.id(), false, a.pointId(), written, total, null));
        }
        RestoreReport done = new RestoreReport(a.id(), true, a.pointId(), written, total, null);
        reports.put(a.id(), done);
        save();
        if (a.start()) start(a, done);
        LOG.log(System.Logger.Level.INFO, "wrote point {0} into {1} ({2}: {3} of {4} bytes){5}", a.pointId(), a.domain(),
                a.mode(), written, total, a.start() ? "; started it" : "");
    }
}
