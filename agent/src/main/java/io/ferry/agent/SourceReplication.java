package io.ferry.agent;

import io.ferry.datapath.capture.CaptureOptions;
import io.ferry.datapath.capture.CaptureResult;
import io.ferry.datapath.capture.MachineCapture;
import io.ferry.datapath.capture.ResyncRequiredException;
import io.ferry.hypervisor.Libvirt;
import io.ferry.protocol.ErrorInfo;
import io.ferry.protocol.PointReport;
import io.ferry.protocol.ReplicationReport;
import io.ferry.protocol.SourceAssignment;
import io.ferry.repository.PointManifest;
import io.ferry.repository.Repository;
import io.ferry.repository.RepositoryException;
import io.ferry.transport.blobs.RemoteBlobStore;
import io.ferry.transport.blobs.RetryingBlobStore;
import io.ferry.transport.tls.Tls;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Replicates one machine of this host: a cycle every copy-frequency (a capture into the
 * repository on the recovery agent, over mutual TLS), reporting progress and committed points.
 * A failed cycle is retried after {@link #RETRY_DELAY} or the copy frequency, whichever is
 * shorter; lost change tracking stops the cycles until the vault allows a resync.
 */
final class SourceReplication implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(SourceReplication.class.getName());
    static final Duration RETRY_DELAY = Duration.ofSeconds(5);

    private final Libvirt libvirt;
    private final AgentIdentity identity;
    private final RepositoryKeys keys;
    private final PendingPoints pending;
    private final int workers;
    private final Duration timeout;
    private final Thread thread;
    private final Object wake = new Object();
    private volatile SourceAssignment assignment;
    private volatile boolean closed;

    // live state, read by report()
    private volatile String phase = "IDLE";
    private volatile String mode;
    private final Map<String, long[]> progress = new ConcurrentHashMap<>();
    private volatile Instant cycleStartedAt;
    private volatile Instant lastCycleAt;
    private volatile double lastCycleSeconds;
    private volatile boolean resyncRequired;
    private volatile ErrorInfo error;
    private volatile Instant lastAttempt;
    /** The last sync request served (a planned failover's final sync): a new one runs a cycle at once. */
    private volatile String syncServed;

    SourceReplication(SourceAssignment a, Libvirt libvirt, AgentIdentity identity, RepositoryKeys keys,
                      PendingPoints pending, int workers, Duration timeout) {
        this.assignment = a;
        this.libvirt = libvirt;
        this.identity = identity;
        this.keys = keys;
        this.pending = pending;
        this.workers = workers;
        this.timeout = timeout;
        this.thread = Thread.ofVirtual().name("replicate-" + a.domain()).start(this::run);
    }

    void update(SourceAssignment a) {
        SourceAssignment before = assignment;
        assignment = a;
        if (!before.equals(a)) {
            synchronized (wake) {
                wake.notifyAll();
            }
        }
    }

    ReplicationReport report() {
        long done = 0, total = 0;
        for (long[] p : progress.values()) {
            done += p[0];
            total += Math.max(p[1], 0);
        }
        return new ReplicationReport(assignment.protectedMachineId(), phase, mode, done, total, cycleStartedAt,
                lastCycleAt, lastCycleSeconds, pending.of(assignment.protectedMachineId()), resyncRequired, error);
    }

    private void run() {
        while (!closed) {
            try {
                SourceAssignment a = assignment;
                Instant next = nextCycleAt(a);
                boolean syncNow = a.syncRequest() != null && !a.syncRequest().equals(syncServed);
                if (next != null && !syncNow) {
                    long waitMs = Duration.between(Instant.now(), next).toMillis();
                    if (waitMs > 0) {
                        sleep(Math.min(waitMs, 1000));
                        continue;
                    }
                }
                if (resyncRequired && !a.allowResync()) {
                    sleep(1000);
                    continue;
                }
                if (cycle(a) && syncNow) {
                    syncServed = a.syncRequest();
                    LOG.log(System.Logger.Level.INFO, "final sync of {0} done (request {1})", a.domain(), a.syncRequest());
                }
            } catch (RuntimeException | Error e) {
                // a bug must not end replication silently: report it and try again later
                error = ErrorInfo.of("INTERNAL", "replication loop of " + assignment.domain() + ": " + e, "see the agent log");
                LOG.log(System.Logger.Level.ERROR, "replication loop of " + assignment.domain(), e);
                lastAttempt = Instant.now();
                sleep(RETRY_DELAY.toMillis());
            }
        }
    }

    private Instant nextCycleAt(SourceAssignment a) {
        if (lastAttempt == null) return null;
        Duration every = Duration.ofSeconds(a.copyFrequencySeconds());
        if (error != null && !resyncRequired && RETRY_DELAY.compareTo(every) < 0) every = RETRY_DELAY;
        return lastAttempt.plus(every);
    }

    /** One capture; true if it committed a point. */
    private boolean cycle(SourceAssignment a) {
        Instant start = Instant.now();
        lastAttempt = start;
        cycleStartedAt = start;
        progress.clear();
        phase = "CAPTURING";
        URI base = URI.create("https://" + a.recoveryDataAddress());
        boolean committed = false;
        try (Repository repo = Repository.open(
                new RetryingBlobStore(new RemoteBlobStore(base, a.repository(),
                        Tls.clientForPeer(identity.tls(), identity.ca(), a.recoveryHostId()), timeout)),
                keys.remote(a.repository(), a.recoveryHostId(), a.encryptionKey()))) {
            CaptureOptions options = CaptureOptions.defaults().withWorkers(workers)
                    .withResync(resyncRequired && a.allowResync())
                    .withBytesPerSecond(a.bandwidthLimitBytesPerSecond());
            MachineCapture capture = new MachineCapture(libvirt, repo, options);
            CaptureResult r = capture.capture(a.domain(), a.domainUuid(),
                    (ph, done, total) -> progress.put(ph, new long[] {done, total}));
            PointManifest p = r.point();
            pending.add(a.protectedMachineId(), new PointReport(p.id(), a.repository(), p.createdAt(), p.consistency().name(),
                    r.mode().name(), p.parentId(), r.bytesRead(), r.bytesStored(),
                    p.disks().stream().map(d -> d.name()).toList(), start));
            mode = r.mode().name();
            lastCycleAt = Instant.now();
            lastCycleSeconds = Duration.between(start, lastCycleAt).toMillis() / 1000.0;
            resyncRequired = false;
            error = null;
            committed = true;
            LOG.log(System.Logger.Level.INFO, "replicated {0}: point {1} ({2}, {3} bytes read, {4} stored) in {5} s",
                    a.domain(), p.id(), r.mode(), r.bytesRead(), r.bytesStored(), lastCycleSeconds);
        } catch (ResyncRequiredException e) {
            resyncRequired = true;
            error = ErrorInfo.of("RESYNC_REQUIRED", e.getMessage(), "the vault starts a resync by digests");
            LOG.log(System.Logger.Level.WARNING, "replication of {0}: {1}", a.domain(), e.getMessage());
        } catch (RepositoryException e) {
            error = ErrorInfo.of("REPOSITORY", e.getMessage(), e.hint());
            LOG.log(System.Logger.Level.WARNING, "replication of {0} failed: {1}", a.domain(), e.getMessage());
        } catch (Exception e) {
            error = ErrorInfo.of("REPLICATION_FAILED", "replication cycle of " + a.domain() + " to "
                    + a.recoveryDataAddress() + " failed: " + e.getMessage(),
                    "Ferry retries by itself; check that the recovery agent is reachable and the domain exists");
            LOG.log(System.Logger.Level.WARNING, "replication of " + a.domain() + " failed", e);
        } finally {
            cycleStartedAt = null;
            phase = error == null ? "IDLE" : "ERROR";
        }
        return committed;
    }

    private void sleep(long ms) {
        synchronized (wake) {
            try {
                wake.wait(ms);
            } catch (InterruptedException e) {
                closed = true;
            }
        }
    }

    /** Stops after the running cycle (a capture is not interrupted half-way: it would leave a backup job). */
    @Override
    public void close() {
        closed = true;
        synchronized (wake) {
            wake.notifyAll();
        }
    }

    void awaitStopped(Duration max) throws InterruptedException {
        thread.join(max);
    }

    String domain() {
        return assignment.domain();
    }

    boolean running() {
        return thread.isAlive();
    }
}
