package io.ferry.vault.jobs;

import io.ferry.orchestrator.jobs.JobType.Steps;
import io.ferry.orchestrator.lifecycle.ProtectionEvent;
import io.ferry.orchestrator.lifecycle.ProtectionState;
import io.ferry.protocol.CleanupReport;
import io.ferry.protocol.RepositoryReport;
import io.ferry.vault.agents.AgentReports;
import io.ferry.vault.agents.Assignments;
import io.ferry.vault.agents.ReplicationRoute;
import io.ferry.vault.store.Host;
import io.ferry.vault.store.Job;
import io.ferry.vault.store.Machine;
import io.ferry.vault.store.Pairing;
import io.ferry.vault.store.ProtectedMachine;
import io.ferry.vault.store.RecoveryPoint;
import io.ferry.vault.store.VaultStore;
import tools.jackson.databind.json.JsonMapper;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * stop-replication: the source agent, no longer assigned the machine, reports no running cycle.
 * remove-checkpoints: the source agent removed Ferry's checkpoints (and QEMU's bitmaps).
 * delete-points (only if asked): the recovery agent deleted every point of the machine.
 * forget: the machine is UNPROTECTED and leaves the catalogue.
 * A silent source agent does not block: its steps are skipped with a message saying what was
 * left behind. Not cancellable (it only removes things).
 */
final class DisableProtection implements JobHandler {
    record Params(boolean deletePoints, String machineName) {}

    private final VaultStore store;
    private final AgentReports reports;
    private final Lifecycle lifecycle;
    private final JsonMapper json;
    private final Duration silentAfter;

    DisableProtection(VaultStore store, AgentReports reports, Lifecycle lifecycle, JsonMapper json, Duration silentAfter) {
        this.store = store;
        this.reports = reports;
        this.lifecycle = lifecycle;
        this.json = json;
        this.silentAfter = silentAfter;
    }

    @Override
    public StepOutcome advance(Job job, String step) {
        Optional<ProtectedMachine> pmo = store.protectedMachine(job.targetId());
        if (pmo.isEmpty()) return StepOutcome.done("already forgotten");
        ProtectedMachine pm = pmo.get();
        Machine m = store.machine(pm.machineId()).orElseThrow();
        Pairing pairing = store.pairing(pm.pairingId()).orElseThrow();
        Instant stepStart = job.steps().stream().filter(s -> s.name().equals(step)).findFirst()
                .map(s -> s.startedAt()).orElse(job.startedAt());
        Params params = json.readValue(job.params(), Params.class);
        return switch (step) {
            case Steps.STOP_REPLICATION -> {
                // the host that replicates the machine now (a recovery VM replicating back, or its own)
                Host src = store.host(ReplicationRoute.of(pm, m, pairing).sourceHostId()).orElseThrow();
                if (silent(src)) yield StepOutcome.skipped("source agent " + src.name() + " is silent; it stops"
                        + " replicating " + m.name() + " when it next calls in");
                var hb = reports.of(src.id());
                if (hb.isEmpty() || hb.get().at().isBefore(stepStart)) yield StepOutcome.waiting("waiting for " + src.name() + " to call in");
                var rep = reports.replication(src.id(), pm.id());
                if (rep.isPresent() && !"STOPPED".equals(rep.get().phase())) {
                    yield StepOutcome.waiting("waiting for the running cycle of " + m.name() + " on " + src.name() + " to end");
                }
                yield StepOutcome.done("replication of " + m.name() + " stopped");
            }
            case Steps.REMOVE_CHECKPOINTS -> {
                java.util.List<String> done = new java.util.ArrayList<>();
                java.util.List<String> left = new java.util.ArrayList<>();
                for (Assignments.CheckpointHolder h : Assignments.checkpointHolders(pm, m, pairing, job)) {
                    Host host = store.host(h.hostId()).orElseThrow();
                    if (silent(host)) {
                        left.add(h.domain() + " on " + host.name() + " (silent; remove them with `virsh checkpoint-delete "
                                + h.domain() + " ferry-…` when the host is back)");
                        continue;
                    }
                    Optional<CleanupReport> c = reports.cleanup(host.id(), h.cleanupId());
                    if (c.isEmpty()) yield StepOutcome.waiting("waiting for " + host.name() + " to remove the checkpoints of " + h.domain());
                    if (!c.get().done()) {
                        yield StepOutcome.waiting(c.get().error() == null ? "removing checkpoints of " + h.domain() + " on "
                                + host.name() : c.get().error().message());
                    }
                    done.add(h.domain() + " on " + host.name());
                }
                if (done.isEmpty()) yield StepOutcome.skipped("Ferry's checkpoints are left on " + String.join(", ", left));
                yield StepOutcome.done("checkpoints removed from " + String.join(", ", done)
                        + (left.isEmpty() ? "" : "; left on " + String.join(", ", left)));
            }
            case Steps.DELETE_POINTS -> {
                if (!params.deletePoints()) yield StepOutcome.skipped("points kept in repository " + pairing.repositoryName());
                Host rec = store.host(pairing.recoveryHostId()).orElseThrow();
                if (silent(rec)) {
                    yield StepOutcome.skipped("recovery host " + rec.name() + " is silent: the points of " + m.name()
                            + " stay in repository " + pairing.repositoryName() + "; delete them when it is back"
                            + " (`ferry repo ls` / protection enabled and disabled again with --delete-points)");
                }
                var hb = reports.of(rec.id());
                if (hb.isEmpty() || hb.get().at().isBefore(stepStart)) {
                    yield StepOutcome.waiting("waiting for recovery host " + rec.name() + " to call in" + (silent(rec) ? " (it is silent)" : ""));
                }
                Optional<RepositoryReport> r = reports.repository(rec.id(), pairing.repositoryName());
                if (r.isEmpty() || !r.get().purgedMachines().contains(m.name())) {
                    yield StepOutcome.waiting("waiting for " + rec.name() + " to delete the points of " + m.name()
                            + (r.isPresent() && r.get().error() != null ? ": " + r.get().error().message() : ""));
                }
                var ids = store.points(pm.id()).stream().map(RecoveryPoint::id).toList();
                store.markDeleted(ids, Instant.now());
                yield StepOutcome.done(ids.size() + " points of " + m.name() + " deleted");
            }
            case Steps.FORGET -> {
                // a recovery VM the agent has not removed yet (a cancelled or failed failover) must not be orphaned:
                // once its row is gone the agent would leave a FAILOVER VM running with the machine's MAC
                var left = store.recoveryVmsByMachine(pm.id());
                if (!left.isEmpty()) {
                    Host h = store.host(left.getFirst().hostId()).orElseThrow();
                    if (silent(h)) {
                        yield StepOutcome.failed("RECOVERY_VM_LEFT", "cannot forget " + m.name() + ": recovery VM "
                                + left.getFirst().domainName() + " on " + h.name() + " is not removed yet and the host is silent",
                                "start the agent on " + h.name() + " and unprotect again, or remove the domain there by hand");
                    }
                    yield StepOutcome.waiting("waiting for " + h.name() + " to remove recovery VM " + left.getFirst().domainName());
                }
                if (!ProtectionState.UNPROTECTED.name().equals(pm.state())) {
                    if (!lifecycle.apply(pm, m.name(), ProtectionEvent.DISABLE)) yield StepOutcome.waiting("retrying");
                }
                store.deleteProtectedMachine(pm.id());
                yield StepOutcome.done(m.name() + " is no longer protected");
            }
            default -> throw new IllegalStateException("unknown step " + step);
        };
    }

    private boolean silent(Host h) {
        return h.lastHeartbeatAt() == null || h.lastHeartbeatAt().isBefore(Instant.now().minus(silentAfter));
    }
}
