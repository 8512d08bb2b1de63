package io.ferry.vault.jobs;

import io.ferry.orchestrator.jobs.JobType.Steps;
import io.ferry.orchestrator.lifecycle.ProtectionEvent;
import io.ferry.orchestrator.lifecycle.ProtectionState;
import io.ferry.vault.store.Job;
import io.ferry.vault.store.Machine;
import io.ferry.vault.store.ProtectedMachine;
import io.ferry.vault.store.VaultStore;

import java.util.Optional;

/**
 * resync: RESYNC_REQUIRED → RESYNCING (the source agent may now compare every chunk with the last
 * point by digest and store only what differs); done when a point other than the one that was
 * latest when the job was created is in the catalogue → PROTECTED (no clock comparison: point
 * times come from the source host's clock).
 */
final class Resync implements JobHandler {
    private final VaultStore store;
    private final Lifecycle lifecycle;
    private final tools.jackson.databind.json.JsonMapper json;

    Resync(VaultStore store, Lifecycle lifecycle, tools.jackson.databind.json.JsonMapper json) {
        this.store = store;
        this.lifecycle = lifecycle;
        this.json = json;
    }

    @Override
    public StepOutcome advance(Job job, String step) {
        if (!Steps.RESYNC.equals(step)) throw new IllegalStateException("unknown step " + step);
        Optional<ProtectedMachine> pmo = store.protectedMachine(job.targetId());
        if (pmo.isEmpty()) return StepOutcome.failed("NOT_FOUND", "protected machine " + job.targetId() + " no longer exists", null);
        ProtectedMachine pm = pmo.get();
        String name = store.machine(pm.machineId()).map(Machine::name).orElse(pm.machineId());
        if (ProtectionState.RESYNC_REQUIRED.name().equals(pm.state())) {
            lifecycle.apply(pm, name, ProtectionEvent.RESYNC);
            return StepOutcome.waiting("resynchronising " + name + " by digests");
        }
        if (ProtectionState.RESYNCING.name().equals(pm.state())) {
            String from = json.readTree(job.params()).path("fromPoint").asString(null);
            if (pm.latestPointId() != null && !pm.latestPointId().equals(from)) {
                if (!lifecycle.apply(pm, name, ProtectionEvent.RESYNC_DONE)) return StepOutcome.waiting("retrying");
                return StepOutcome.done("resynchronised: point " + pm.latestPointId());
            }
            return StepOutcome.waiting("resynchronising " + name + " by digests"
                    + (pm.lastError() == null ? "" : " (last error: " + pm.lastError() + ")"));
        }
        return StepOutcome.done(name + " is " + pm.state());
    }
}
