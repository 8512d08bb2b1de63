package io.ferry.vault.jobs;

import io.ferry.orchestrator.jobs.JobType.Steps;
import io.ferry.protocol.PowerReport;
import io.ferry.vault.agents.ReplicationRoute;
import io.ferry.vault.store.Host;
import io.ferry.vault.store.Job;
import io.ferry.vault.store.Machine;
import io.ferry.vault.store.ProtectedMachine;
import io.ferry.vault.store.VaultStore;

import java.util.Optional;

/**
 * shutdown-source: the source agent shuts the domain down cleanly (ACPI) within the timeout; if
 * it cannot, the job fails and the machine is PROTECTED again with the source running.
 * final-sync: a point whose data was frozen after the shutdown (every write is in it).
 * start-vm: the recovery VM of that point runs → FAILED_OVER. Cancellable at every step
 * (→ PROTECTED; after the shutdown the source stays off).
 */
final class PlannedFailover implements JobHandler {
    private final VaultStore store;
    private final RecoveryVmSteps steps;
    private final FailoverSteps failover;

    PlannedFailover(VaultStore store, RecoveryVmSteps steps, FailoverSteps failover) {
        this.store = store;
        this.steps = steps;
        this.failover = failover;
    }

    @Override
    public StepOutcome advance(Job job, String step) {
        Optional<ProtectedMachine> pmo = store.protectedMachine(job.targetId());
        if (pmo.isEmpty()) return StepOutcome.failed("NOT_FOUND", "protected machine " + job.targetId() + " no longer exists", null);
        ProtectedMachine pm = pmo.get();
        Machine m = store.machine(pm.machineId()).orElseThrow();
        ReplicationRoute source = steps.route(pm, m);
        Host src = store.host(source.sourceHostId()).orElseThrow();
        String domain = source.sourceDomain();
        return switch (step) {
            case Steps.SHUTDOWN_SOURCE -> {
                Optional<PowerReport> r = steps.power(source, job);
                if (r.isPresent() && PowerReport.SHUT_OFF.equals(r.get().state())) {
                    yield StepOutcome.done(domain + " shut down cleanly on " + src.name() + " at " + r.get().at());
                }
                if (r.isPresent() && PowerReport.RESTARTED.equals(r.get().state())) {
                    yield failover.restarted("planned failover of " + m.name(), r.get(), domain, () -> failover.back(job, pm, m));
                }
                if (r.isPresent() && (PowerReport.TIMED_OUT.equals(r.get().state()) || PowerReport.ERROR.equals(r.get().state()))) {
                    failover.back(job, pm, m);
                    yield StepOutcome.failed("SOURCE_NOT_SHUT_DOWN", "planned failover of " + m.name() + " refused: "
                            + (r.get().error() == null ? "it did not shut down" : r.get().error().message())
                            + "; a planned failover cannot guarantee no data loss without a clean shutdown, so nothing was"
                            + " changed: " + m.name() + " is PROTECTED and still runs on " + src.name(),
                            "shut the guest down from inside and retry, or fail over unplanned (`ferry failover "
                            + m.name() + " --unplanned`)");
                }
                if (steps.silent(src)) {
                    failover.back(job, pm, m);
                    yield StepOutcome.failed("SOURCE_UNREACHABLE", "planned failover of " + m.name() + " refused: source agent "
                            + src.name() + " is silent, so " + domain + " cannot be shut down and synchronised; it is PROTECTED",
                            "bring the source agent back, or fail over unplanned (`ferry failover " + m.name() + " --unplanned`)");
                }
                yield StepOutcome.waiting("shutting " + domain + " down on " + src.name()
                        + (r.isPresent() ? " (" + r.get().state() + ")" : ""));
            }
            case Steps.FINAL_SYNC -> failover.finalSync("planned failover of " + m.name(), pm, steps.power(source, job), domain, src,
                    () -> failover.back(job, pm, m));
            case Steps.START_VM -> {
                // the last look before a second copy starts: the source must still be off
                Optional<PowerReport> r = steps.power(source, job);
                if (store.recoveryVm(RecoveryVmSteps.vmId(job)).isEmpty() && r.isPresent()
                        && PowerReport.RESTARTED.equals(r.get().state())) {
                    yield failover.restarted("planned failover of " + m.name(), r.get(), domain, () -> failover.back(job, pm, m));
                }
                // a shutdown later than the final-sync point (the source agent restarted and shut the domain down
                // again): whatever ran in between is not in that point, so nothing starts from it
                if (store.recoveryVm(RecoveryVmSteps.vmId(job)).isEmpty() && r.isPresent() && r.get().at() != null
                        && PowerReport.SHUT_OFF.equals(r.get().state()) && pm.latestPointAt() != null
                        && r.get().at().isAfter(pm.latestPointAt())) {
                    failover.back(job, pm, m);
                    yield StepOutcome.failed("SOURCE_RESTARTED", "planned failover of " + m.name() + " stopped: " + src.name()
                            + " reports " + domain + " shut off at " + r.get().at() + ", after the final-sync point "
                            + pm.latestPointId() + " (its agent restarted, and the domain may have run in between); nothing was"
                            + " started; " + m.name() + " is PROTECTED", "start " + domain + " if it should run, or fail over again");
                }
                yield failover.startVm(job, pm, m);
            }
            default -> throw new IllegalStateException("unknown step " + step);
        };
    }

    @Override
    public boolean cancellable(Job job, String step) {
        return true;
    }

    @Override
    public String cancel(Job job) {
        boolean shutDown = !Steps.SHUTDOWN_SOURCE.equals(job.step());
        return failover.cancel(job, name -> shutDown ? " and its source stays shut off: start it with `virsh start " + name
                + "` or fail over again" : "");
    }
}
