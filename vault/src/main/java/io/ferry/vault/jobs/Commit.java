package io.ferry.vault.jobs;

import io.ferry.orchestrator.jobs.JobType.Steps;
import io.ferry.orchestrator.lifecycle.ProtectionEvent;
import io.ferry.orchestrator.lifecycle.ProtectionState;
import io.ferry.protocol.RecoveryVmReport;
import io.ferry.vault.agents.AgentReports;
import io.ferry.vault.store.Host;
import io.ferry.vault.store.Job;
import io.ferry.vault.store.Machine;
import io.ferry.vault.store.ProtectedMachine;
import io.ferry.vault.store.RecoveryVm;
import io.ferry.vault.store.VaultStore;

import java.util.Optional;

/**
 * release-vm: the failover VM is wanted RELEASED; the agent pulls every disk into its overlay
 * (the VM no longer reads the repository), stops the export and forgets it; then FAILED_OVER →
 * COMMITTED and the row goes. The VM keeps running: it is the machine now. Not cancellable.
 */
final class Commit implements JobHandler {
    private final VaultStore store;
    private final AgentReports reports;
    private final Lifecycle lifecycle;
    private final RecoveryVmSteps steps;

    Commit(VaultStore store, AgentReports reports, Lifecycle lifecycle, RecoveryVmSteps steps) {
        this.store = store;
        this.reports = reports;
        this.lifecycle = lifecycle;
        this.steps = steps;
    }

    /** A block pull that cannot finish (e.g. the export was lost) must not pin the machine: cancel → FAILED_OVER. */
    @Override
    public boolean cancellable(Job job, String step) {
        return true;
    }

    @Override
    public String cancel(Job job) {
        Optional<ProtectedMachine> pmo = store.protectedMachine(job.targetId());
        if (pmo.isEmpty()) return "cancelled";
        store.recoveryVmsByMachine(pmo.get().id()).stream()
                .filter(v -> RecoveryVm.FAILOVER.equals(v.kind()) && RecoveryVm.RELEASED.equals(v.desired()))
                .forEach(v -> store.updateRecoveryVm(v.id(), RecoveryVm.RUNNING, v.pointId()));
        String name = store.machine(pmo.get().machineId()).map(Machine::name).orElse(pmo.get().machineId());
        return "cancelled; " + name + " is " + pmo.get().state() + " (not committed): commit again, or change the point";
    }

    @Override
    public StepOutcome advance(Job job, String step) {
        if (!Steps.RELEASE_VM.equals(step)) throw new IllegalStateException("unknown step " + step);
        Optional<ProtectedMachine> pmo = store.protectedMachine(job.targetId());
        if (pmo.isEmpty()) return StepOutcome.failed("NOT_FOUND", "protected machine " + job.targetId() + " no longer exists", null);
        ProtectedMachine pm = pmo.get();
        Machine m = store.machine(pm.machineId()).orElseThrow();
        if (pm.reversed()) {
            // after a failback the machine runs at home again: nothing to release
            if (ProtectionState.FAILED_OVER.name().equals(pm.state()) && !lifecycle.apply(pm, m.name(), ProtectionEvent.COMMIT)) {
                return StepOutcome.waiting("retrying");
            }
            return StepOutcome.done(m.name() + " is COMMITTED at home; `ferry reprotect " + m.name() + "` replicates it to the"
                    + " recovery site again");
        }
        Optional<RecoveryVm> vmo = store.recoveryVmsByMachine(pm.id()).stream()
                .filter(v -> RecoveryVm.FAILOVER.equals(v.kind()) && !RecoveryVm.REMOVED.equals(v.desired())).findFirst();
        if (vmo.isEmpty()) {
            if (ProtectionState.COMMITTED.name().equals(pm.state())) return StepOutcome.done(m.name() + " is COMMITTED");
            return StepOutcome.failed("NOT_FOUND", m.name() + " has no failover VM to commit", null);
        }
        RecoveryVm vm = vmo.get();
        if (!RecoveryVm.RELEASED.equals(vm.desired())) store.updateRecoveryVm(vm.id(), RecoveryVm.RELEASED, vm.pointId());
        Host h = store.host(vm.hostId()).orElseThrow();
        Optional<RecoveryVmReport> r = reports.recoveryVm(vm.hostId(), vm.id());
        if (r.isPresent() && RecoveryVmReport.RELEASED.equals(r.get().phase())) {
            boolean done = store.inTransaction(tx -> {
                if (!lifecycle.apply(pm, m.name(), ProtectionEvent.COMMIT)) return false;
                tx.deleteRecoveryVm(vm.id());
                // the recovery VM is the machine now; its old disk at home is the standby a reprotect seeds from
                tx.updateDirection(pm.id(), ProtectedMachine.FORWARD, vm.hostId(), vm.domainName(), m.name());
                return true;
            });
            if (!done) return StepOutcome.waiting("retrying");
            return StepOutcome.done(vm.domainName() + " on " + h.name() + " no longer depends on the repository; "
                    + m.name() + " is COMMITTED (point " + vm.pointId() + ")");
        }
        if (r.isPresent() && RecoveryVmReport.ERROR.equals(r.get().phase()) && r.get().error() != null) {
            return StepOutcome.waiting("releasing " + vm.domainName() + ": " + r.get().error().message() + " (retrying)");
        }
        return StepOutcome.waiting("copying the disks of " + vm.domainName() + " into its own images on " + h.name()
                + (steps.silent(h) ? "; the host is SILENT: start its agent" : ""));
    }
}
