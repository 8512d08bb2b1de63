package io.ferry.vault.jobs;

import io.ferry.orchestrator.lifecycle.ProtectionEvent;
import io.ferry.orchestrator.lifecycle.ProtectionState;
import io.ferry.protocol.PowerReport;
import io.ferry.vault.store.Host;
import io.ferry.vault.store.Job;
import io.ferry.vault.store.Machine;
import io.ferry.vault.store.Pairing;
import io.ferry.vault.store.ProtectedMachine;
import io.ferry.vault.store.RecoveryVm;
import io.ferry.vault.store.VaultStore;
import tools.jackson.databind.json.JsonMapper;

import java.util.Optional;

/**
 * The start-vm step and the way back that planned and unplanned failover share: the failover VM
 * (MAC kept, the pairing's network mapping) from a point, FAILING_OVER → FAILED_OVER when it
 * runs; on failure or cancel the VM is no longer wanted and the machine is PROTECTED again.
 */
final class FailoverSteps {
    private final VaultStore store;
    private final Lifecycle lifecycle;
    private final RecoveryVmSteps steps;
    private final JsonMapper json;

    FailoverSteps(VaultStore store, Lifecycle lifecycle, RecoveryVmSteps steps, JsonMapper json) {
        this.store = store;
        this.lifecycle = lifecycle;
        this.steps = steps;
        this.json = json;
    }

    /** Records the failover VM of {@code pointId} if the job has none yet. */
    RecoveryVm ensureVm(Job job, ProtectedMachine pm, String pointId) {
        String vmId = RecoveryVmSteps.vmId(job);
        Optional<RecoveryVm> vm = store.recoveryVm(vmId);
        if (vm.isPresent()) return vm.get();
        Pairing pairing = store.pairing(pm.pairingId()).orElseThrow();
        String name = json.readTree(job.params()).path("domainName").asString();
        return store.createRecoveryVm(new RecoveryVm(vmId, pm.id(), RecoveryVm.FAILOVER, pairing.recoveryHostId(), pointId,
                name, RecoveryVm.RUNNING, null, false, true, null, null));
    }

    StepOutcome startVm(Job job, ProtectedMachine pm, Machine m) {
        Optional<RecoveryVm> vm = store.recoveryVm(RecoveryVmSteps.vmId(job));
        if (vm.isEmpty()) {
            if (pm.latestPointId() == null) return StepOutcome.failed("NOT_FOUND", m.name() + " has no point to fail over to", null);
            vm = Optional.of(ensureVm(job, pm, pm.latestPointId()));
        }
        StepOutcome out = steps.awaitRunning(vm.get());
        if (out instanceof StepOutcome.Done d) {
            if (ProtectionState.FAILING_OVER.name().equals(pm.state())
                    && !lifecycle.apply(pm, m.name(), ProtectionEvent.FAILOVER_DONE)) {
                return StepOutcome.waiting("retrying");
            }
            return StepOutcome.done(d.message() + "; " + m.name() + " is FAILED_OVER: `ferry commit " + m.name()
                    + "` accepts it, `ferry change-point` runs it from another point");
        }
        if (out instanceof StepOutcome.Failed) back(job, pm, m);
        return out;
    }

    /**
     * The final sync of a planned failover or failback: done once a point holds every write up to
     * the confirmed shutdown of {@code domain} on {@code host}; if it was started again meanwhile,
     * {@code back} runs and the job fails.
     */
    StepOutcome finalSync(String operation, ProtectedMachine pm, Optional<PowerReport> r, String domain, Host host, Runnable back) {
        if (r.isPresent() && PowerReport.RESTARTED.equals(r.get().state())) return restarted(operation, r.get(), domain, back);
        if (r.isEmpty() || r.get().at() == null || !PowerReport.SHUT_OFF.equals(r.get().state())) {
            return StepOutcome.waiting("waiting for " + host.name() + " to confirm " + domain + " is shut off");
        }
        if (pm.latestPointId() != null && pm.latestPointAt() != null && !pm.latestPointAt().isBefore(r.get().at())) {
            return StepOutcome.done("final sync: point " + pm.latestPointId() + " holds every write up to the shutdown");
        }
        return StepOutcome.waiting("final sync of " + domain + " (shut off at " + r.get().at() + ")"
                + (pm.lastError() == null ? "" : "; last error: " + pm.lastError()));
    }

    /** The source runs again after its shutdown: {@code back}, and the job fails before a second copy starts. */
    StepOutcome restarted(String operation, PowerReport r, String domain, Runnable back) {
        back.run();
        return StepOutcome.failed("SOURCE_RESTARTED", operation + " stopped: " + (r.error() == null ? domain
                + " runs again" : r.error().message()) + ". Nothing was started at the other site; the machine is PROTECTED and"
                + " replicates from " + domain + " again", r.error() == null ? null : r.error().hint());
    }

    /** Cancel of a failover job: back to PROTECTED; returns the job's message ({@code note} follows it). */
    String cancel(Job job, java.util.function.Function<String, String> note) {
        Optional<ProtectedMachine> pmo = store.protectedMachine(job.targetId());
        if (pmo.isEmpty()) return "cancelled";
        Machine m = store.machine(pmo.get().machineId()).orElseThrow();
        back(job, pmo.get(), m);
        return "cancelled; " + m.name() + " is PROTECTED" + note.apply(m.name());
    }

    /** The failover VM, if any, is no longer wanted and FAILING_OVER → PROTECTED. */
    void back(Job job, ProtectedMachine pm, Machine m) {
        store.recoveryVm(RecoveryVmSteps.vmId(job)).ifPresent(v -> store.updateRecoveryVm(v.id(), RecoveryVm.REMOVED, v.pointId()));
        lifecycle.applyWhile(pm.id(), m.name(), ProtectionState.FAILING_OVER, ProtectionEvent.FAILED);
    }
}
