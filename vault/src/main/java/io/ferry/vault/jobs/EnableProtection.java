package io.ferry.vault.jobs;

import io.ferry.orchestrator.jobs.JobType.Steps;
import io.ferry.orchestrator.lifecycle.ProtectionEvent;
import io.ferry.orchestrator.lifecycle.ProtectionState;
import io.ferry.protocol.RepositoryReport;
import io.ferry.vault.agents.AgentReports;
import io.ferry.vault.store.Host;
import io.ferry.vault.store.Job;
import io.ferry.vault.store.JobProgress;
import io.ferry.vault.store.Machine;
import io.ferry.vault.store.Pairing;
import io.ferry.vault.store.ProtectedMachine;
import io.ferry.vault.store.VaultStore;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.util.Optional;

/**
 * prepare-repository: the recovery agent reports the pairing's repository ready → INITIAL_REPLICATION.
 * initial-replication: the source agent's first point is in the catalogue → PROTECTED.
 * Cancellable at both steps: the machine goes back to UNPROTECTED and a disable job removes what
 * was made (checkpoints, points).
 */
final class EnableProtection implements JobHandler {
    private final VaultStore store;
    private final AgentReports reports;
    private final Lifecycle lifecycle;
    private final JsonMapper json;
    private final Jobs jobs;

    EnableProtection(VaultStore store, AgentReports reports, Lifecycle lifecycle, JsonMapper json, Jobs jobs) {
        this.store = store;
        this.reports = reports;
        this.lifecycle = lifecycle;
        this.json = json;
        this.jobs = jobs;
    }

    @Override
    public StepOutcome advance(Job job, String step) {
        Optional<ProtectedMachine> pmo = store.protectedMachine(job.targetId());
        if (pmo.isEmpty()) {
            return StepOutcome.failed("NOT_FOUND", "protected machine " + job.targetId() + " no longer exists", null);
        }
        ProtectedMachine pm = pmo.get();
        Machine m = store.machine(pm.machineId()).orElseThrow();
        Pairing pairing = store.pairing(pm.pairingId()).orElseThrow();
        return switch (step) {
            case Steps.PREPARE_REPOSITORY -> prepare(pm, m, pairing);
            case Steps.INITIAL_REPLICATION -> initial(pm, m);
            default -> throw new IllegalStateException("unknown step " + step);
        };
    }

    private StepOutcome prepare(ProtectedMachine pm, Machine m, Pairing pairing) {
        if (!ProtectionState.ENABLING.name().equals(pm.state())) {
            return StepOutcome.done("repository " + pairing.repositoryName() + " ready");
        }
        Host recovery = store.host(pairing.recoveryHostId()).orElse(null);
        if (recovery == null) {
            return StepOutcome.failed("NOT_FOUND", "the recovery host " + pairing.recoveryHostId() + " of pairing "
                    + pairing.name() + " does not exist", "create a pairing with a registered recovery host");
        }
        if (recovery.dataAddress() == null) {
            return StepOutcome.waiting("waiting for recovery host " + recovery.name() + " to report its data port"
                    + " (start its agent with --data-listen ADDRESS:PORT)");
        }
        Optional<RepositoryReport> r = reports.repository(recovery.id(), pairing.repositoryName());
        if (r.isEmpty()) {
            return StepOutcome.waiting("waiting for recovery host " + recovery.name() + " to create repository "
                    + pairing.repositoryName());
        }
        if (!r.get().ready()) {
            return StepOutcome.waiting("repository " + pairing.repositoryName() + " on " + recovery.name() + " is not ready"
                    + (r.get().error() == null ? "" : ": " + r.get().error().message()));
        }
        if (!lifecycle.apply(pm, m.name(), ProtectionEvent.ENABLED)) return StepOutcome.waiting("retrying");
        return StepOutcome.done("repository " + pairing.repositoryName() + " ready on " + recovery.name());
    }

    private StepOutcome initial(ProtectedMachine pm, Machine m) {
        // the repository already holds points of this machine (protection disabled with its points kept, then
        // enabled again) whose checkpoint is gone: the first copy is a resync by digests, inside this job
        if (ProtectionState.RESYNC_REQUIRED.name().equals(pm.state())) {
            lifecycle.apply(pm, m.name(), ProtectionEvent.RESYNC);
            return StepOutcome.waiting("the repository holds earlier points of " + m.name() + ": resynchronising by digests");
        }
        if (ProtectionState.RESYNCING.name().equals(pm.state()) && pm.latestPointId() != null) {
            if (!lifecycle.apply(pm, m.name(), ProtectionEvent.RESYNC_DONE)) return StepOutcome.waiting("retrying");
            return StepOutcome.done("first recovery point " + pm.latestPointId() + " (resynchronised with earlier points)");
        }
        if (pm.latestPointId() != null) {
            if (ProtectionState.INITIAL_REPLICATION.name().equals(pm.state())
                    && !lifecycle.apply(pm, m.name(), ProtectionEvent.INITIAL_REPLICATION_DONE)) {
                return StepOutcome.waiting("retrying");
            }
            return StepOutcome.done("first recovery point " + pm.latestPointId());
        }
        JobProgress progress = null;
        String message = "waiting for the source agent to start the full copy";
        if (pm.replication() != null) {
            JsonNode r = json.readTree(pm.replication());
            long done = r.path("bytesDone").asLong();
            long total = r.path("bytesTotal").asLong();
            JsonNode eta = r.path("etaSeconds");
            progress = new JobProgress(done, total, r.path("percent").asDouble(), eta.isNumber() ? eta.asLong() : null);
            message = "copying " + m.name() + ": " + r.path("phase").asString("");
        }
        if (pm.lastError() != null) message += " (last error: " + pm.lastError() + ")";
        return new StepOutcome.Wait(message, progress);
    }

    @Override
    public boolean cancellable(Job job, String step) {
        return true;
    }

    @Override
    public void afterCancelled(Job job) {
        jobs.startCleanupAfterCancel(job.targetId(), job.id());
    }

    @Override
    public String cancel(Job job) {
        Optional<ProtectedMachine> pmo = store.protectedMachine(job.targetId());
        if (pmo.isEmpty()) return "cancelled";
        ProtectedMachine pm = pmo.get();
        String name = store.machine(pm.machineId()).map(Machine::name).orElse(pm.machineId());
        // re-run after a vault restart finds the machine UNPROTECTED already: nothing to do
        while (!ProtectionState.UNPROTECTED.name().equals(pm.state())) {
            ProtectionState s = ProtectionState.valueOf(pm.state());
            ProtectionEvent ev = s == ProtectionState.ENABLING ? ProtectionEvent.FAILED
                    : s == ProtectionState.RESYNC_REQUIRED || s == ProtectionState.RESYNCING || s == ProtectionState.INITIAL_REPLICATION
                    || s == ProtectionState.PROTECTED ? ProtectionEvent.DISABLE : null;
            if (ev == null || lifecycle.apply(pm, name, ev)) break;
            pm = store.protectedMachine(job.targetId()).orElseThrow();
        }
        return "cancelled; " + name + " is UNPROTECTED and a disable job removes its checkpoints (points are kept;"
                + " `ferry repo` tools or a later protection can use them)";
    }
}
