package io.ferry.vault.jobs;

import io.ferry.vault.agents.ReplicationRoute;
import io.ferry.orchestrator.jobs.JobType.Steps;
import io.ferry.orchestrator.lifecycle.TestFailoverEvent;
import io.ferry.orchestrator.lifecycle.TestFailoverState;
import io.ferry.vault.store.Job;
import io.ferry.vault.store.Machine;
import io.ferry.vault.store.ProtectedMachine;
import io.ferry.vault.store.RecoveryPoint;
import io.ferry.vault.store.RecoveryVm;
import io.ferry.vault.store.VaultStore;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.util.Optional;

/**
 * select-point: resolve the point, record the drill's recovery VM (desired RUNNING), test state
 * NONE → STARTING. start-vm: the recovery agent runs it → RUNNING. Cancellable at both steps: the
 * drill goes to CLEANING_UP and a TEST_FAILOVER_CLEANUP job removes what was made; a failure
 * does the same. Replication is not touched.
 */
final class TestFailover implements JobHandler {
    private final VaultStore store;
    private final Lifecycle lifecycle;
    private final RecoveryVmSteps steps;
    private final JsonMapper json;
    private final Jobs jobs;

    TestFailover(VaultStore store, Lifecycle lifecycle, RecoveryVmSteps steps, JsonMapper json, Jobs jobs) {
        this.store = store;
        this.lifecycle = lifecycle;
        this.steps = steps;
        this.json = json;
        this.jobs = jobs;
    }

    @Override
    public StepOutcome advance(Job job, String step) {
        Optional<ProtectedMachine> pmo = store.protectedMachine(job.targetId());
        if (pmo.isEmpty()) return StepOutcome.failed("NOT_FOUND", "protected machine " + job.targetId() + " no longer exists", null);
        ProtectedMachine pm = pmo.get();
        Machine m = store.machine(pm.machineId()).orElseThrow();
        JsonNode p = json.readTree(job.params());
        String vmId = RecoveryVmSteps.vmId(job);
        return switch (step) {
            case Steps.SELECT_POINT -> {
                if (store.recoveryVm(vmId).isPresent()) yield StepOutcome.done("point " + store.recoveryVm(vmId).get().pointId());
                String selector = p.path("point").asString(null);
                // where the machine replicates to now: the recovery host, or its own host while it replicates back
                ReplicationRoute route = steps.route(pm, m);
                Optional<RecoveryPoint> point = steps.resolveIn(pm, selector, route.repository());
                if (point.isEmpty()) {
                    yield StepOutcome.failed("NOT_FOUND", "no point '" + RecoveryVmSteps.describe(selector) + "' of " + m.name(),
                            "list the points with `ferry points " + m.name() + "`");
                }
                String network = p.path("network").asString(null);
                boolean create = p.path("createNetwork").asBoolean(false);
                boolean started = store.inTransaction(tx -> {
                    if (!lifecycle.apply(pm, m.name(), TestFailoverEvent.START)) return false;
                    tx.createRecoveryVm(new RecoveryVm(vmId, pm.id(), RecoveryVm.TEST, route.targetHostId(), point.get().id(),
                            p.path("domainName").asString(), RecoveryVm.RUNNING, network, create, false, null, null));
                    return true;
                });
                if (!started) yield StepOutcome.waiting("retrying");
                yield StepOutcome.done("point " + point.get().id() + " (" + point.get().consistency() + ", "
                        + point.get().createdAt() + ")");
            }
            case Steps.START_VM -> {
                Optional<RecoveryVm> vm = store.recoveryVm(vmId);
                if (vm.isEmpty()) yield StepOutcome.failed("NOT_FOUND", "the drill's recovery VM " + vmId + " is gone", null);
                StepOutcome out = steps.awaitRunning(vm.get());
                if (out instanceof StepOutcome.Done) {
                    // a re-run after a vault restart finds the drill RUNNING already
                    if (TestFailoverState.STARTING.name().equals(pm.testState())
                            && !lifecycle.apply(pm, m.name(), TestFailoverEvent.STARTED)) {
                        yield StepOutcome.waiting("retrying");
                    }
                } else if (out instanceof StepOutcome.Failed) {
                    abandon(pm, m, vmId);
                }
                yield out;
            }
            default -> throw new IllegalStateException("unknown step " + step);
        };
    }

    /** STARTING → CLEANING_UP and the VM no longer wanted; a cleanup job follows. */
    private void abandon(ProtectedMachine pm, Machine m, String vmId) {
        store.recoveryVm(vmId).ifPresent(vm -> store.updateRecoveryVm(vm.id(), RecoveryVm.REMOVED, vm.pointId()));
        // the monitor may bump the version meanwhile: re-read until the drill is CLEANING_UP
        lifecycle.applyWhile(pm.id(), m.name(), TestFailoverState.STARTING, TestFailoverEvent.FAILED);
    }

    @Override
    public boolean cancellable(Job job, String step) {
        return true;
    }

    @Override
    public String cancel(Job job) {
        Optional<ProtectedMachine> pmo = store.protectedMachine(job.targetId());
        if (pmo.isEmpty()) return "cancelled";
        ProtectedMachine pm = pmo.get();
        Machine m = store.machine(pm.machineId()).orElseThrow();
        abandon(pm, m, RecoveryVmSteps.vmId(job));
        return store.recoveryVm(RecoveryVmSteps.vmId(job)).isPresent()
                ? "cancelled; the drill of " + m.name() + " is CLEANING_UP: a cleanup job removes what it made"
                : "cancelled before anything was made; " + m.name() + " has no drill";
    }

    @Override
    public void afterCancelled(Job job) {
        jobs.startTestCleanup(job.targetId(), job.id());
    }

    @Override
    public void afterFailed(Job job) {
        jobs.startTestCleanup(job.targetId(), job.id());
    }
}
