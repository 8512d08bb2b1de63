package io.ferry.agent;

import io.ferry.datapath.capture.MachineCapture;
import io.ferry.datapath.restore.PointDisk;
import io.ferry.datapath.restore.PointExport;
import io.ferry.hypervisor.DomainState;
import io.ferry.hypervisor.Libvirt;
import io.ferry.hypervisor.QemuImg;
import io.ferry.hypervisor.RecoveryDomainXml;
import io.ferry.nbd.ExportSource;
import io.ferry.nbd.NbdAddress;
import io.ferry.nbd.NbdServer;
import io.ferry.nbd.UnixSocketAccess;
import io.ferry.protocol.ErrorInfo;
import io.ferry.protocol.RecoveryVmAssignment;
import io.ferry.protocol.RecoveryVmReport;
import io.ferry.repository.DiskRef;
import io.ferry.repository.PointManifest;
import io.ferry.repository.Repository;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One recovery VM: a thread that converges it to what the vault wants. RUNNING: serve the point's
 * disks over NBD, overlays backed by that export, the rewritten domain defined and started (a
 * failover VM is then made independent by a block pull of every disk). REMOVED: destroy,
 * undefine, delete overlays and console, stop the export, remove its isolated network.
 * RELEASED: independent, export stopped, forgotten (the VM stays). No assignment: a drill is
 * removed, a failover VM is left as it is.
 */
final class RecoveryVmRunner implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(RecoveryVmRunner.class.getName());
    private static final Duration PULL_TIMEOUT = Duration.ofHours(6);
    private static final String QEMU_USER = "libvirt-qemu";

    private final String id;
    private final Libvirt libvirt;
    private final RecoveryRepositories repositories;
    private final RecoveryVms.Places places;
    private final RecoveryVms owner;
    private final Object wake = new Object();
    private final Thread thread;
    private volatile RecoveryVmAssignment wanted;
    /** Nothing is done before the vault (or the assignments kept from it) said what it wants. */
    private volatile boolean told;
    private volatile boolean closed;
    private volatile boolean finished;
    private volatile NbdServer server;

    private volatile String phase = RecoveryVmReport.STARTING;
    private volatile String pointId;
    private volatile Instant startedAt;
    private volatile ErrorInfo error;
    /** The block pull of a failover VM, while it runs. */
    private volatile Thread puller;
    private volatile Instant pullFailedAt;
    static final java.time.Duration PULL_RETRY = java.time.Duration.ofSeconds(30);
    /** The assignment that last failed to start: not retried until the vault asks something else. */
    private volatile RecoveryVmAssignment failed;

    RecoveryVmRunner(String id, Libvirt libvirt, RecoveryRepositories repositories, RecoveryVms.Places places, RecoveryVms owner) {
        this.id = id;
        this.libvirt = libvirt;
        this.repositories = repositories;
        this.places = places;
        this.owner = owner;
        this.thread = Thread.ofVirtual().name("recovery-vm-" + id).start(this::run);
    }

    void want(RecoveryVmAssignment a) {
        RecoveryVmAssignment before = wanted;
        wanted = a;
        boolean first = !told;
        told = true;
        if (first || (a == null ? before != null : !a.equals(before))) {
            synchronized (wake) {
                wake.notifyAll();
            }
        }
    }

    /** After an agent restart: serve the export again so a VM that reads it goes on. */
    synchronized void resume(RecoveryVmRecord r) {
        pointId = r.pointId();
        if (!libvirt.exists(r.domain())) {
            // the agent stopped between recording the VM and defining it: undo the rest; it is made again if still wanted
            try {
                remove(r);
            } catch (RuntimeException e) {
                fail("clean up the half-made recovery VM " + r.domain(), e);
            }
            phase = RecoveryVmReport.STARTING;
            return;
        }
        phase = RecoveryVmReport.RUNNING;
        reserve = !r.independent(); // once the repository is open again (the first assignments open it)
    }

    /** After a restart: the export of a VM that is not independent yet is served again as soon as its repository is open. */
    private volatile boolean reserve;

    private void reserveExport(RecoveryVmRecord r) {
        if (!reserve || r == null || r.independent() || server != null) return;
        if (repositories.repository(r.repository()).isEmpty()) return; // not open yet: next round
        try {
            serve(r.repository(), r.pointId(), r.socket());
            reserve = false;
            LOG.log(System.Logger.Level.INFO, "serving the export of recovery VM {0} ({1}) again", r.domain(), r.pointId());
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot serve the export of " + r.domain() + " again yet: " + e.getMessage());
        }
    }

    RecoveryVmReport report() {
        RecoveryVmRecord r = owner.record(id);
        RecoveryVmAssignment a = wanted;
        return new RecoveryVmReport(id, phase, r != null ? r.domain() : a == null ? null : a.domain(), pointId,
                r != null && r.independent(), startedAt, error);
    }

    boolean finished() {
        return finished;
    }

    private void run() {
        while (!closed && !finished) {
            try {
                if (told) converge();
            } catch (RuntimeException | Error e) {
                fail("manage recovery VM " + id, e);
            }
            synchronized (wake) {
                try {
                    wake.wait(1000);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    private synchronized void converge() {
        RecoveryVmAssignment a = wanted;
        RecoveryVmRecord r = owner.record(id);
        reserveExport(r);
        if (a == null) {
            // not (or no longer) listed by the vault: a drill goes, a failover VM stays as it is
            if (r != null && RecoveryVmAssignment.TEST.equals(r.kind())) remove(r);
            if (owner.record(id) == null) finished = true;
            return;
        }
        switch (a.desired()) {
            case RecoveryVmAssignment.RUNNING -> {
                if (r != null && !r.pointId().equals(a.pointId())) {
                    remove(r); // another point before commit: the VM is made again from it
                    r = null;
                }
                if (r == null) {
                    if (a.equals(failed)) return;
                    create(a);
                    r = owner.record(id);
                    if (r == null) return;
                }
                if (RecoveryVmAssignment.FAILOVER.equals(r.kind()) && !r.independent()) makeIndependent(r); // in the background
            }
            case RecoveryVmAssignment.REMOVED -> {
                if (r != null) remove(r);
                phase = RecoveryVmReport.REMOVED;
                error = null;
            }
            case RecoveryVmAssignment.RELEASED -> {
                if (r != null) {
                    phase = RecoveryVmReport.RELEASING;
                    if (!r.independent()) {
                        makeIndependent(r); // the pull wakes this runner when it is done
                        return;
                    }
                    stopServer();
                    owner.forget(id);
                    LOG.log(System.Logger.Level.INFO, "released recovery VM {0}: it no longer depends on Ferry", r.domain());
                }
                phase = RecoveryVmReport.RELEASED;
                error = null;
            }
            default -> fail("manage recovery VM " + id, new IllegalArgumentException("unknown desired state " + a.desired()));
        }
    }

    private void create(RecoveryVmAssignment a) {
        phase = RecoveryVmReport.STARTING;
        pointId = a.pointId();
        error = null;
        RecoveryVmRecord rec = null;
        try {
            Repository repo = repositories.repository(a.repository()).orElseThrow(() -> new AgentException(
                    "repository " + a.repository() + " is not kept on this agent", "check the pairing's recovery host"));
            PointManifest point = repo.point(a.pointId()).orElseThrow(() -> new AgentException("point " + a.pointId()
                    + " of " + a.machine() + " is not in repository " + a.repository(), "choose another point"));
            String xml = point.attributes().get(MachineCapture.ATTR_DOMAIN_XML);
            if (xml == null) {
                throw new AgentException("point " + a.pointId() + " of " + a.machine() + " has no domain configuration"
                        + " (it was captured by an older Ferry)", "choose a newer point, or restore its disks with `ferry restore`");
            }
            if (libvirt.exists(a.domain())) {
                throw new AgentException("a domain named " + a.domain() + " already exists on this host",
                        "choose another name for the recovery VM, or remove that domain");
            }
            RecoveryVms.ensureDir(places.images(), false);
            RecoveryVms.ensureDir(places.sockets(), true);
            RecoveryVms.ensureDir(places.consoles(), true);
            Path socket = places.sockets().resolve(id + ".sock");
            Map<String, Path> overlays = new LinkedHashMap<>();
            for (DiskRef d : point.disks()) overlays.put(d.name(), places.images().resolve(a.domain() + "-" + d.name() + ".qcow2"));
            rec = new RecoveryVmRecord(id, a.kind(), a.domain(), a.repository(), a.pointId(), overlays, socket,
                    places.consoles().resolve(a.domain() + ".log"), a.createNetwork() ? a.network() : null, false);
            owner.save(rec); // first: whatever follows can be undone after a crash
            serve(a.repository(), a.pointId(), socket);
            Map<String, RecoveryDomainXml.DiskSource> disks = new LinkedHashMap<>();
            for (DiskRef d : point.disks()) {
                Path overlay = overlays.get(d.name());
                Files.deleteIfExists(overlay);
                String uri = "nbd+unix:///" + d.name() + "?socket=" + socket;
                QemuImg.createOverlay(overlay, uri, "raw", d.size());
                disks.put(d.name(), new RecoveryDomainXml.DiskSource(overlay, uri, "raw"));
            }
            if (a.createNetwork()) libvirt.createIsolatedNetwork(a.network());
            String domainXml = RecoveryDomainXml.rewrite(xml, new RecoveryDomainXml.Options(a.domain(), null, disks,
                    a.networkMapping(), a.network(), a.keepMac(), places.consoles()));
            libvirt.define(domainXml);
            libvirt.start(a.domain());
            startedAt = Instant.now();
            phase = RecoveryVmReport.RUNNING;
            LOG.log(System.Logger.Level.INFO, "recovery VM {0} ({1}) runs from point {2} of {3}", a.domain(), a.kind(),
                    a.pointId(), a.machine());
        } catch (IOException | RuntimeException e) {
            fail("start recovery VM " + a.domain() + " from point " + a.pointId(), e);
            failed = a;
            if (rec != null) {
                try {
                    remove(rec);
                } catch (RuntimeException cleanup) {
                    LOG.log(System.Logger.Level.WARNING, "cleaning up after a failed start of " + a.domain() + ": " + cleanup.getMessage());
                }
                phase = RecoveryVmReport.ERROR;
            }
            pointId = a.pointId(); // the vault matches the error to the point it asked for
        }
    }

    private void serve(String repository, String point, Path socket) throws IOException {
        Repository repo = repositories.repository(repository).orElseThrow(() -> new AgentException(
                "repository " + repository + " is not kept on this agent", "check the pairing's recovery host"));
        PointManifest p = repo.point(point).orElseThrow(() -> new AgentException("point " + point + " is not in repository "
                + repository, "it may have been deleted; the VM cannot read its disks"));
        Map<String, ExportSource> exports = new LinkedHashMap<>();
        for (DiskRef d : p.disks()) exports.put(d.name(), new PointExport(new PointDisk(repo, p, d.name())));
        Files.deleteIfExists(socket);
        server = NbdServer.start(new NbdAddress.Unix(socket), exports, qemuAccess());
    }

    private static UnixSocketAccess qemuAccess() {
        try {
            java.nio.file.FileSystems.getDefault().getUserPrincipalLookupService().lookupPrincipalByName(QEMU_USER);
            return UnixSocketAccess.forUser(QEMU_USER);
        } catch (IOException e) {
            return UnixSocketAccess.OWNER_ONLY;
        }
    }

    /**
     * Starts the block pull of every disk in a thread of its own (a large disk takes hours, and a
     * REMOVED or another point must not wait for it: removing the VM ends the pull) and returns
     * {@code r}; the pull marks the record independent when done. A failed pull is reported and
     * tried again after {@link #PULL_RETRY}.
     */
    private RecoveryVmRecord makeIndependent(RecoveryVmRecord r) {
        Thread p = puller;
        if (p != null && p.isAlive()) return r;
        Instant failedAt = pullFailedAt;
        if (failedAt != null && failedAt.plus(PULL_RETRY).isAfter(Instant.now())) return r;
        DomainState st = libvirt.state(r.domain());
        if (st != DomainState.RUNNING && st != DomainState.PAUSED) {
            fail("make recovery VM " + r.domain() + " independent of the repository", new AgentException("recovery VM "
                    + r.domain() + " is not running, so its disks cannot be pulled", "start it with `virsh start " + r.domain() + "`"));
            phase = RecoveryVmReport.RUNNING;
            pullFailedAt = Instant.now();
            return r;
        }
        puller = Thread.ofVirtual().name("pull-" + r.domain()).start(() -> pull(r));
        return r;
    }

    private void pull(RecoveryVmRecord r) {
        RuntimeException failure = null;
        try {
            for (String disk : r.overlays().keySet()) libvirt.blockPull(r.domain(), disk, PULL_TIMEOUT);
        } catch (RuntimeException e) {
            failure = e;
        }
        synchronized (this) {
            if (!r.equals(owner.record(id))) return; // removed or made again meanwhile: the pull ended with the domain
            if (failure != null) {
                // the VM runs: a failed pull is reported (and retried), it does not make the start a failure
                fail("make recovery VM " + r.domain() + " independent of the repository", failure);
                phase = RecoveryVmReport.RUNNING;
                pullFailedAt = Instant.now();
                return;
            }
            owner.save(r.withIndependent(true));
            stopServer();
            error = null;
            pullFailedAt = null;
            LOG.log(System.Logger.Level.INFO, "recovery VM {0} is independent of the repository", r.domain());
        }
        synchronized (wake) {
            wake.notifyAll();
        }
    }

    private void remove(RecoveryVmRecord r) {
        phase = RecoveryVmReport.REMOVING;
        if (libvirt.exists(r.domain())) {
            try {
                libvirt.destroy(r.domain());
            } catch (RuntimeException e) {
                // already shut off
            }
            // a copy's UEFI variables are its own since the XML rewrite names them after it; an older
            // copy names its source's file, which stays
            if (RecoveryDomainXml.ownsNvram(libvirt.inactiveXml(r.domain()), r.domain())) libvirt.undefine(r.domain());
            else libvirt.undefineKeepNvram(r.domain());
        }
        stopServer();
        try {
            for (Path o : r.overlays().values()) Files.deleteIfExists(o);
            if (r.console() != null) Files.deleteIfExists(r.console());
            Files.deleteIfExists(r.socket());
        } catch (IOException e) {
            throw new AgentException("remove the files of recovery VM " + r.domain() + ": " + e.getMessage(),
                    "remove " + r.overlays().values() + " by hand", e);
        }
        if (r.createdNetwork() != null) libvirt.removeNetwork(r.createdNetwork());
        owner.forget(id);
        startedAt = null;
        pointId = null;
        LOG.log(System.Logger.Level.INFO, "removed recovery VM {0} (domain, overlays, export{1})", r.domain(),
                r.createdNetwork() == null ? "" : ", network " + r.createdNetwork());
    }

    private void stopServer() {
        NbdServer s = server;
        server = null;
        if (s != null) s.close();
    }

    private void fail(String operation, Throwable e) {
        String hint = e instanceof AgentException ae ? ae.hint() : "see the agent log";
        error = ErrorInfo.of("RECOVERY_VM_FAILED", "cannot " + operation + ": " + e.getMessage(), hint);
        phase = RecoveryVmReport.ERROR;
        LOG.log(System.Logger.Level.WARNING, "cannot " + operation, e);
    }

    /** Stops the thread and the export; the VM itself is left (a restarted agent serves it again). Takes no lock. */
    @Override
    public void close() {
        closed = true;
        synchronized (wake) {
            wake.notifyAll();
        }
        stopServer();
    }
}
