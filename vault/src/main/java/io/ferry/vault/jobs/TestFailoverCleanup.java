package io.ferry.vault.jobs;

import io.ferry.orchestrator.jobs.JobType.Steps;
import io.ferry.orchestrator.lifecycle.TestFailoverEvent;
import io.ferry.orchestrator.lifecycle.TestFailoverState;
import io.ferry.vault.store.Host;
import io.ferry.vault.store.Job;
import io.ferry.vault.store.Machine;
import io.ferry.vault.store.ProtectedMachine;
import io.ferry.vault.store.RecoveryVm;
import io.ferry.vault.store.VaultStore;

import java.util.List;
import java.util.Optional;

/**
 * remove-vm: every drill VM of the machine is wanted REMOVED; once its agent reported it removed
 * (domain, overlays, export and isolated network gone) the row is deleted; when none is left the
 * drill is CLEANING_UP → NONE. Not cancellable: it only removes things.
 */
final class TestFailoverCleanup implements JobHandler {
    private final VaultStore store;
    private final Lifecycle lifecycle;
    private final RecoveryVmSteps steps;

    TestFailoverCleanup(VaultStore store, Lifecycle lifecycle, RecoveryVmSteps steps) {
        this.store = store;
        this.lifecycle = lifecycle;
        this.steps = steps;
    }

    @Override
    public StepOutcome advance(Job job, String step) {
        if (!Steps.REMOVE_VM.equals(step)) throw new IllegalStateException("unknown step " + step);
        Optional<ProtectedMachine> pmo = store.protectedMachine(job.targetId());
        if (pmo.isEmpty()) return StepOutcome.done("protected machine " + job.targetId() + " is gone");
        ProtectedMachine pm = pmo.get();
        Machine m = store.machine(pm.machineId()).orElseThrow();
        List<RecoveryVm> left = store.recoveryVmsByMachine(pm.id()).stream().filter(v -> RecoveryVm.TEST.equals(v.kind())).toList();
        for (RecoveryVm vm : left) {
            if (!RecoveryVm.REMOVED.equals(vm.desired())) store.updateRecoveryVm(vm.id(), RecoveryVm.REMOVED, vm.pointId());
        }
        if (!left.isEmpty()) {
            RecoveryVm vm = left.getFirst();
            Host h = store.host(vm.hostId()).orElseThrow();
            return StepOutcome.waiting("waiting for recovery host " + h.name() + " to remove " + vm.domainName()
                    + " (domain, overlays, export" + (vm.createNetwork() ? ", network " + vm.network() : "") + ")"
                    + (steps.silent(h) ? "; the host is SILENT: start its agent" : ""));
        }
        if (!TestFailoverState.NONE.name().equals(pm.testState())) {
            if (TestFailoverState.RUNNING.name().equals(pm.testState()) && !lifecycle.apply(pm, m.name(), TestFailoverEvent.CLEANUP)) {
                return StepOutcome.waiting("retrying");
            }
            ProtectedMachine now = store.protectedMachine(pm.id()).orElseThrow();
            if (!lifecycle.apply(now, m.name(), TestFailoverEvent.CLEANED_UP)) return StepOutcome.waiting("retrying");
        }
        return StepOutcome.done("the drill of " + m.name() + " is cleaned up: nothing it made is left");
    }
}
