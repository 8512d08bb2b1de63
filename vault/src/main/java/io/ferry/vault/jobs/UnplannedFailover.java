package io.ferry.vault.jobs;

import io.ferry.orchestrator.jobs.JobType.Steps;
import io.ferry.orchestrator.lifecycle.ProtectionEvent;
import io.ferry.protocol.PowerReport;
import io.ferry.vault.agents.Assignments;
import io.ferry.vault.agents.ReplicationRoute;
import io.ferry.vault.store.Host;
import io.ferry.vault.store.Job;
import io.ferry.vault.store.JobStep;
import io.ferry.vault.store.Machine;
import io.ferry.vault.store.ProtectedMachine;
import io.ferry.vault.store.RecoveryPoint;
import io.ferry.vault.store.VaultStore;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.time.Instant;
import java.util.Optional;

/**
 * shutdown-source (only if asked): try to shut the source down; a silent agent, a timeout or an
 * error is noted and the job goes on. select-point: resolve the point → FAILING_OVER, replication
 * stops. start-vm: the recovery VM of that point runs → FAILED_OVER. Works with the primary site
 * gone. Cancellable at every step (→ PROTECTED).
 */
final class UnplannedFailover implements JobHandler {
    private final VaultStore store;
    private final Lifecycle lifecycle;
    private final RecoveryVmSteps steps;
    private final FailoverSteps failover;
    private final JsonMapper json;

    UnplannedFailover(VaultStore store, Lifecycle lifecycle, RecoveryVmSteps steps, FailoverSteps failover, JsonMapper json) {
        this.store = store;
        this.lifecycle = lifecycle;
        this.steps = steps;
        this.failover = failover;
        this.json = json;
    }

    @Override
    public StepOutcome advance(Job job, String step) {
        Optional<ProtectedMachine> pmo = store.protectedMachine(job.targetId());
        if (pmo.isEmpty()) return StepOutcome.failed("NOT_FOUND", "protected machine " + job.targetId() + " no longer exists", null);
        ProtectedMachine pm = pmo.get();
        Machine m = store.machine(pm.machineId()).orElseThrow();
        JsonNode p = json.readTree(job.params());
        return switch (step) {
            case Steps.SHUTDOWN_SOURCE -> {
                if (!p.path("shutdownSource").asBoolean(false)) yield StepOutcome.skipped("not asked to shut the source down");
                ReplicationRoute source = steps.route(pm, m);
                Host src = store.host(source.sourceHostId()).orElseThrow();
                if (steps.silent(src)) yield StepOutcome.skipped("source agent " + src.name() + " is silent; going on without it");
                Optional<PowerReport> r = steps.power(source, job);
                if (r.isPresent() && PowerReport.SHUT_OFF.equals(r.get().state())) {
                    yield StepOutcome.done(source.sourceDomain() + " shut down on " + src.name() + " at " + r.get().at());
                }
                if (r.isPresent() && !PowerReport.SHUTTING_DOWN.equals(r.get().state())) {
                    yield StepOutcome.skipped(source.sourceDomain() + " did not shut down (" + r.get().state()
                            + (r.get().error() == null ? "" : ": " + r.get().error().message()) + "); going on");
                }
                Instant started = job.steps().stream().filter(s -> s.name().equals(step)).map(JobStep::startedAt)
                        .filter(java.util.Objects::nonNull).findFirst().orElse(Instant.now());
                int timeout = p.path("shutdownTimeoutSeconds").asInt(Assignments.DEFAULT_SHUTDOWN_TIMEOUT_SECONDS);
                if (Instant.now().isAfter(started.plusSeconds(timeout + 30L))) {
                    yield StepOutcome.skipped("no answer from " + src.name() + " about the shutdown; going on");
                }
                yield StepOutcome.waiting("trying to shut " + source.sourceDomain() + " down on " + src.name());
            }
            case Steps.SELECT_POINT -> {
                if (store.recoveryVm(RecoveryVmSteps.vmId(job)).isPresent()) {
                    yield StepOutcome.done("point " + store.recoveryVm(RecoveryVmSteps.vmId(job)).get().pointId());
                }
                String selector = p.path("point").asString(null);
                Optional<RecoveryPoint> point = steps.resolve(pm, selector);
                if (point.isEmpty()) {
                    yield StepOutcome.failed("NOT_FOUND", "no point '" + RecoveryVmSteps.describe(selector) + "' of " + m.name(),
                            "list the points with `ferry points " + m.name() + "` and choose one");
                }
                boolean moved = store.inTransaction(tx -> {
                    if (!lifecycle.apply(pm, m.name(), ProtectionEvent.FAILOVER)) return false;
                    failover.ensureVm(job, pm, point.get().id());
                    return true;
                });
                if (!moved) yield StepOutcome.waiting("retrying");
                yield StepOutcome.done("point " + point.get().id() + " (" + point.get().consistency() + ", "
                        + point.get().createdAt() + "); replication of " + m.name() + " stopped");
            }
            case Steps.START_VM -> failover.startVm(job, pm, m);
            default -> throw new IllegalStateException("unknown step " + step);
        };
    }

    @Override
    public boolean cancellable(Job job, String step) {
        return true;
    }

    @Override
    public String cancel(Job job) {
        return failover.cancel(job, name -> " (a recovery VM it started is removed)");
    }
}
