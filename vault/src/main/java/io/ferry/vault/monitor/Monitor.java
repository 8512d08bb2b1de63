package io.ferry.vault.monitor;

import io.ferry.orchestrator.lifecycle.ProtectionEvent;
import io.ferry.orchestrator.lifecycle.ProtectionState;
import io.ferry.vault.agents.Assignments;
import io.ferry.vault.jobs.Jobs;
import io.ferry.vault.jobs.Lifecycle;
import io.ferry.vault.store.Host;
import io.ferry.vault.store.Machine;
import io.ferry.vault.store.Pairing;
import io.ferry.vault.store.Policy;
import io.ferry.vault.store.ProtectedMachine;
import io.ferry.vault.store.RecoveryPoint;
import io.ferry.vault.store.VaultStore;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** RPO, health, alerts, automatic resync and retention, evaluated every {@code interval}. */
public final class Monitor implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Monitor.class.getName());
    public static final String RPO_BREACHED = "RPO_BREACHED";
    public static final String AGENT_SILENT = "AGENT_SILENT";
    public static final String REPLICATION_FAILED = "REPLICATION_FAILED";
    public static final String RESYNC_REQUIRED = "RESYNC_REQUIRED";

    private final VaultStore store;
    private final Jobs jobs;
    private final Lifecycle lifecycle;
    private final JsonMapper json;
    private final Duration interval;
    private final Duration silentAfter;
    private final Map<String, Double> rpoSeconds = new ConcurrentHashMap<>();
    private volatile boolean closed;
    private Thread thread;

    public Monitor(VaultStore store, Jobs jobs, JsonMapper json, Duration interval, Duration silentAfter) {
        this.store = store;
        this.jobs = jobs;
        this.lifecycle = new Lifecycle(store);
        this.json = json;
        this.interval = interval;
        this.silentAfter = silentAfter;
    }

    public Monitor start() {
        thread = Thread.ofPlatform().name("monitor").daemon(true).start(() -> {
            while (!closed) {
                try {
                    evaluate(Instant.now());
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "monitor pass failed: " + e.getMessage(), e);
                }
                try {
                    Thread.sleep(interval);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        return this;
    }

    /** Live RPO in seconds per protected machine id (for /metrics). */
    public Map<String, Double> rpoSeconds() {
        return rpoSeconds;
    }

    public synchronized void evaluate(Instant now) {
        for (Host h : store.hosts()) {
            if (silent(h, now)) {
                store.raiseAlert(AGENT_SILENT, "CRITICAL", "host", h.id(), "agent " + h.name() + " has not called in since "
                                + (h.lastHeartbeatAt() == null ? "it registered" : h.lastHeartbeatAt()),
                        "check that `ferry agent` runs on " + h.name() + " and reaches the vault", now);
            } else {
                store.clearAlert(AGENT_SILENT, h.id(), now);
            }
        }
        List<ProtectedMachine> all = store.protectedMachines();
        rpoSeconds.keySet().retainAll(all.stream().map(ProtectedMachine::id).toList());
        for (ProtectedMachine pm : all) {
            try {
                evaluate(pm, now);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "monitor: protected machine " + pm.id() + ": " + e.getMessage(), e);
            }
        }
    }

    private void evaluate(ProtectedMachine pm, Instant now) {
        Machine m = store.machine(pm.machineId()).orElseThrow();
        Pairing pairing = store.pairing(pm.pairingId()).orElseThrow();
        Policy policy = store.policy(pairing.policyId()).orElseThrow();
        ProtectionState state = ProtectionState.valueOf(pm.state());
        Host src = store.host(io.ferry.vault.agents.ReplicationRoute.of(pm, m, pairing).sourceHostId()).orElseThrow();
        JsonNode rep = pm.replication() == null ? null : json.readTree(pm.replication());

        // change tracking lost: resync by digests, with an alert
        if (rep != null && rep.path("resyncRequired").asBoolean(false)
                && (state == ProtectionState.PROTECTED || state == ProtectionState.INITIAL_REPLICATION)) {
            if (lifecycle.apply(pm, m.name(), ProtectionEvent.CHANGE_TRACKING_LOST)) {
                state = ProtectionState.RESYNC_REQUIRED;
                store.raiseAlert(RESYNC_REQUIRED, "WARNING", "protected-machine", pm.id(),
                        "change tracking of " + m.name() + " was lost: " + pm.lastError(),
                        "Ferry resynchronises by comparing digests with the last point; nothing to do unless it fails", now);
            }
        }
        if (state == ProtectionState.RESYNC_REQUIRED) {
            jobs.resync(pm.id(), "system (change tracking lost)");
        } else if (state == ProtectionState.PROTECTED) {
            store.clearAlert(RESYNC_REQUIRED, pm.id(), now);
        }

        if (!Assignments.REPLICATING.contains(state)) {
            rpoSeconds.remove(pm.id());
            return;
        }
        Duration threshold = Duration.ofSeconds(policy.rpoThresholdSeconds());
        Duration rpo = pm.latestPointAt() == null ? null : Duration.between(pm.latestPointAt(), now);
        Health health;
        String reason;
        if (rpo == null) {
            health = Health.UNKNOWN;
            reason = "initial replication in progress";
        } else {
            rpoSeconds.put(pm.id(), rpo.toMillis() / 1000.0);
            health = Health.of(rpo, threshold);
            reason = "RPO " + rpo.toSeconds() + " s (threshold " + threshold.toSeconds() + " s)";
        }
        if (silent(src, now)) {
            health = Health.CRITICAL;
            reason = "source agent " + src.name() + " is silent; " + reason;
        } else if (pm.lastError() != null) {
            if (health == Health.HEALTHY || health == Health.UNKNOWN) health = Health.WARNING;
            reason = reason + "; last cycle failed: " + pm.lastError();
        }
        if (!health.name().equals(pm.health()) || !reason.equals(pm.healthReason())) {
            store.updateHealth(pm.id(), health.name(), reason);
        }
        if (rpo != null && rpo.compareTo(threshold) > 0) {
            store.raiseAlert(RPO_BREACHED, health == Health.CRITICAL ? "CRITICAL" : "WARNING", "protected-machine", pm.id(),
                    "RPO of " + m.name() + " is " + rpo.toSeconds() + " s, above its threshold of " + threshold.toSeconds() + " s"
                            + (pm.lastError() == null ? "" : "; last error: " + pm.lastError()),
                    "check the link between the sites and the agents; replication catches up by itself", now);
        } else if (rpo != null) {
            store.clearAlert(RPO_BREACHED, pm.id(), now);
        }
        boolean resyncReported = rep != null && rep.path("resyncRequired").asBoolean(false);
        if (pm.lastError() != null && !resyncReported) {
            store.raiseAlert(REPLICATION_FAILED, "WARNING", "protected-machine", pm.id(),
                    "replication of " + m.name() + " failed: " + pm.lastError(), "Ferry retries by itself", now);
        } else if (pm.lastError() == null) {
            store.clearAlert(REPLICATION_FAILED, pm.id(), now);
        }
        applyRetention(pm, policy, now);
    }

    /** Points older than the retention window are expired, the newest point of each repository never. */
    private void applyRetention(ProtectedMachine pm, Policy policy, Instant now) {
        List<RecoveryPoint> points = store.points(pm.id());
        if (points.size() <= 1) return;
        Instant cutoff = now.minusSeconds(policy.retentionSeconds());
        // a point a drill or a failover runs from stays until that VM is gone or independent
        java.util.Set<String> inUse = new java.util.HashSet<>();
        for (io.ferry.vault.store.RecoveryVm vm : store.recoveryVmsByMachine(pm.id())) inUse.add(vm.pointId());
        List<String> expire = new ArrayList<>();
        String forwardRepository = store.pairing(pm.pairingId()).map(io.ferry.vault.store.Pairing::repositoryName).orElse("");
        java.util.Set<String> newestKept = new java.util.HashSet<>(); // the newest point of each repository stays
        for (int i = 0; i < points.size(); i++) { // newest first
            RecoveryPoint p = points.get(i);
            if (newestKept.add(p.repository() == null ? forwardRepository : p.repository())) continue;
            if (RecoveryPoint.AVAILABLE.equals(p.state()) && p.createdAt().isBefore(cutoff) && !inUse.contains(p.id())) {
                expire.add(p.id());
            }
        }
        if (!expire.isEmpty()) {
            store.markExpiring(expire);
            LOG.log(System.Logger.Level.INFO, "retention: {0} points of {1} expired", expire.size(), pm.id());
        }
    }

    private boolean silent(Host h, Instant now) {
        Instant last = h.lastHeartbeatAt() == null ? h.registeredAt() : h.lastHeartbeatAt();
        return last.isBefore(now.minus(silentAfter));
    }

    @Override
    public void close() {
        closed = true;
        if (thread != null) thread.interrupt();
    }
}
