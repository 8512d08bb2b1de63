package io.ferry.vault.jobs;

import io.ferry.orchestrator.jobs.JobType.Steps;
import io.ferry.vault.store.Job;
import io.ferry.vault.store.Machine;
import io.ferry.vault.store.ProtectedMachine;
import io.ferry.vault.store.RecoveryVm;
import io.ferry.vault.store.VaultStore;
import tools.jackson.databind.json.JsonMapper;

import java.util.Optional;

/**
 * start-vm: the failover VM is wanted from another point; the agent removes it and starts it
 * again from that point; done when it runs from it. The machine stays FAILED_OVER. Not
 * cancellable (change the point again instead).
 */
final class ChangePoint implements JobHandler {
    private final VaultStore store;
    private final RecoveryVmSteps steps;
    private final JsonMapper json;

    ChangePoint(VaultStore store, RecoveryVmSteps steps, JsonMapper json) {
        this.store = store;
        this.steps = steps;
        this.json = json;
    }

    @Override
    public StepOutcome advance(Job job, String step) {
        if (!Steps.START_VM.equals(step)) throw new IllegalStateException("unknown step " + step);
        Optional<ProtectedMachine> pm = store.protectedMachine(job.targetId());
        if (pm.isEmpty()) return StepOutcome.failed("NOT_FOUND", "protected machine " + job.targetId() + " no longer exists", null);
        Machine m = store.machine(pm.get().machineId()).orElseThrow();
        String pointId = json.readTree(job.params()).path("pointId").asString();
        Optional<RecoveryVm> vm = store.recoveryVmsByMachine(pm.get().id()).stream()
                .filter(v -> RecoveryVm.FAILOVER.equals(v.kind()) && RecoveryVm.RUNNING.equals(v.desired())).findFirst();
        if (vm.isEmpty()) return StepOutcome.failed("NOT_FOUND", m.name() + " has no failover VM to change", null);
        if (!pointId.equals(vm.get().pointId())) store.updateRecoveryVm(vm.get().id(), RecoveryVm.RUNNING, pointId);
        return steps.awaitRunning(vm.get().withPoint(pointId));
    }
}
