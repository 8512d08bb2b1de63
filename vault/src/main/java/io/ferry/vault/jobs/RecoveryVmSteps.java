package io.ferry.vault.jobs;

import io.ferry.protocol.PowerReport;
import io.ferry.protocol.RecoveryVmReport;
import io.ferry.vault.agents.AgentReports;
import io.ferry.vault.agents.Assignments;
import io.ferry.vault.agents.ReplicationRoute;
import io.ferry.vault.store.Host;
import io.ferry.vault.store.Job;
import io.ferry.vault.store.Machine;
import io.ferry.vault.store.Pairing;
import io.ferry.vault.store.ProtectedMachine;
import io.ferry.vault.store.RecoveryPoint;
import io.ferry.vault.store.RecoveryVm;
import io.ferry.vault.store.VaultStore;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * What the failover jobs share: the point a selector names, the recovery VM a job owns, and
 * what the agents reported about it and about the source's shutdown.
 */
final class RecoveryVmSteps {
    /** Point selectors besides a point id (docs/operations.md, "Choosing a point"). */
    static final String LATEST = "latest";
    static final String LATEST_PROCESSED = "latest-processed";
    static final String LATEST_APP_CONSISTENT = "latest-app-consistent";

    private final VaultStore store;
    private final AgentReports reports;
    private final Duration silentAfter;

    RecoveryVmSteps(VaultStore store, AgentReports reports, Duration silentAfter) {
        this.store = store;
        this.reports = reports;
        this.silentAfter = silentAfter;
    }

    /** The recovery VM a job creates: one per job, so a re-run step finds it instead of making another. */
    static String vmId(Job job) {
        return "rvm-" + job.id().substring(job.id().indexOf('-') + 1);
    }

    /**
     * The point {@code selector} names among the machine's AVAILABLE points in the repository at the
     * recovery site (an EXPIRING point is on its way out; a point of the reverse repository is at home).
     */
    Optional<RecoveryPoint> resolve(ProtectedMachine pm, String selector) {
        String forward = store.pairing(pm.pairingId()).map(io.ferry.vault.store.Pairing::repositoryName).orElse(null);
        return resolveIn(pm, selector, forward);
    }

    /** As {@link #resolve} among the points of {@code repository} (a drill reads where the machine replicates to now). */
    Optional<RecoveryPoint> resolveIn(ProtectedMachine pm, String selector, String repository) {
        String s = selector == null || selector.isBlank() ? LATEST : selector;
        String forward = store.pairing(pm.pairingId()).map(io.ferry.vault.store.Pairing::repositoryName).orElse(null);
        java.util.function.Predicate<RecoveryPoint> usable = p -> RecoveryPoint.AVAILABLE.equals(p.state())
                && (p.repository() == null ? repository.equals(forward) : p.repository().equals(repository));
        return switch (s) {
            case LATEST, LATEST_PROCESSED -> store.points(pm.id()).stream().filter(usable).findFirst();
            case LATEST_APP_CONSISTENT -> store.points(pm.id()).stream().filter(usable).filter(p -> "APP".equals(p.consistency())).findFirst();
            default -> store.point(s).filter(p -> p.protectedMachineId().equals(pm.id())).filter(usable);
        };
    }

    static String describe(String selector) {
        return selector == null || selector.isBlank() ? LATEST : selector;
    }

    boolean silent(Host h) {
        return h.lastHeartbeatAt() == null || h.lastHeartbeatAt().isBefore(Instant.now().minus(silentAfter));
    }

    /** Done when the agent runs the VM from the point the vault wants; failed when it reports an error about that point. */
    StepOutcome awaitRunning(RecoveryVm vm) {
        Host host = store.host(vm.hostId()).orElseThrow();
        Optional<RecoveryVmReport> r = reports.recoveryVm(vm.hostId(), vm.id());
        if (r.isPresent() && vm.pointId().equals(r.get().pointId())) {
            if (RecoveryVmReport.RUNNING.equals(r.get().phase())) {
                return StepOutcome.done(vm.domainName() + " runs on " + host.name() + " from point " + vm.pointId());
            }
            if (RecoveryVmReport.ERROR.equals(r.get().phase()) && r.get().error() != null) {
                return StepOutcome.failed("RECOVERY_VM_FAILED", "recovery host " + host.name() + " could not start "
                        + vm.domainName() + " from point " + vm.pointId() + ": " + r.get().error().message(), r.get().error().hint());
            }
        }
        String waiting = "waiting for recovery host " + host.name() + " to start " + vm.domainName() + " from point " + vm.pointId()
                + (r.isPresent() ? " (" + r.get().phase() + ")" : "");
        return StepOutcome.waiting(silent(host) ? waiting + "; the host is SILENT: start its agent" : waiting);
    }

    /** The source agent's report on the shutdown a job asked for, if any. */
    /** The shutdown report of the job's source: the domain that is the machine now, on its host. */
    Optional<PowerReport> power(ReplicationRoute source, Job job) {
        return reports.power(source.sourceHostId(), Assignments.powerId(job));
    }

    /** Where the machine runs now (the machine itself, or the domain that is it after a failback elsewhere). */
    ReplicationRoute route(ProtectedMachine pm, Machine m) {
        return ReplicationRoute.of(pm, m, store.pairing(pm.pairingId()).orElseThrow());
    }

    /** The recovery host of the machine's pairing, or a failed outcome naming what is missing. */
    Host recoveryHost(Pairing p) {
        return store.host(p.recoveryHostId()).orElseThrow(() -> new IllegalStateException(
                "the recovery host " + p.recoveryHostId() + " of pairing " + p.name() + " does not exist"));
    }
}
