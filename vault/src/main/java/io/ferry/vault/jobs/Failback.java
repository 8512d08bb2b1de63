package io.ferry.vault.jobs;

import io.ferry.orchestrator.jobs.JobType.Steps;
import io.ferry.orchestrator.lifecycle.ProtectionEvent;
import io.ferry.orchestrator.lifecycle.ProtectionState;
import io.ferry.protocol.PowerReport;
import io.ferry.protocol.RestoreReport;
import io.ferry.vault.agents.AgentReports;
import io.ferry.vault.agents.Assignments;
import io.ferry.vault.agents.FailbackTarget;
import io.ferry.vault.agents.ReplicationRoute;
import io.ferry.vault.store.Host;
import io.ferry.vault.store.Job;
import io.ferry.vault.store.JobStep;
import io.ferry.vault.store.Machine;
import io.ferry.vault.store.ProtectedMachine;
import io.ferry.vault.store.VaultStore;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.time.Instant;
import java.util.Optional;

/**
 * A planned failover back to the primary site, from the reverse repository on the machine's own
 * host: into the machine's own domain (in place) or into a domain on another host of the site
 * (the alternate location: that host reads the repository over the data channel and creates the
 * domain from the point's configuration if it does not exist; {@link FailbackTarget}).
 * pre-sync (delta): the latest point is written into the machine's disks by digest while the
 * recovery-site VM still runs. complete-failover (delta): waits for the operator
 * ({@code POST /jobs/{id}/continue}). shutdown-source: PROTECTED → FAILING_OVER, the recovery-site
 * VM shuts down cleanly (or the job fails and nothing changed). final-sync: a point frozen after
 * that. restore: that point into the machine's disks — only differing chunks (delta) or every
 * chunk (full download) — and the machine starts → FAILED_OVER, running where it started.
 * Cancellable until the restore.
 */
final class Failback implements JobHandler {
    private final VaultStore store;
    private final AgentReports reports;
    private final Lifecycle lifecycle;
    private final RecoveryVmSteps steps;
    private final JsonMapper json;
    private final FailoverSteps failover;
    /** How long the last step waits out restore errors (the agent retries every 10 s) before the failback fails. */
    private final java.time.Duration restorePatience;

    Failback(VaultStore store, AgentReports reports, Lifecycle lifecycle, RecoveryVmSteps steps, FailoverSteps failover,
             JsonMapper json, java.time.Duration restorePatience) {
        this.failover = failover;
        this.restorePatience = restorePatience;
        this.store = store;
        this.reports = reports;
        this.lifecycle = lifecycle;
        this.steps = steps;
        this.json = json;
    }

    @Override
    public StepOutcome advance(Job job, String step) {
        Optional<ProtectedMachine> pmo = store.protectedMachine(job.targetId());
        if (pmo.isEmpty()) return StepOutcome.failed("NOT_FOUND", "protected machine " + job.targetId() + " no longer exists", null);
        ProtectedMachine pm = pmo.get();
        Machine m = store.machine(pm.machineId()).orElseThrow();
        ReplicationRoute route = ReplicationRoute.of(pm, m, store.pairing(pm.pairingId()).orElseThrow());
        FailbackTarget t = FailbackTarget.of(job, m);
        Host home = store.host(t.hostId()).orElseThrow(); // where the machine goes: its own host, or the alternate one
        Host away = store.host(route.sourceHostId()).orElseThrow();
        JsonNode p = json.readTree(job.params());
        boolean full = t.full();
        return switch (step) {
            case Steps.PRE_SYNC -> {
                if (full) yield StepOutcome.skipped("full download: every chunk is written after the shutdown, no digest comparison");
                String running = staleCopyRuns(t, m, home);
                if (running != null) {
                    yield StepOutcome.failed("WRONG_STATE", "failback of " + m.name() + " refused: " + running, "shut it down"
                            + " (it is a stale copy) and start the failback again");
                }
                yield restored(job, step, home, "phase 1: " + t.domain() + "'s disks on " + home.name() + " brought close to point ", null);
            }
            case Steps.COMPLETE_FAILOVER -> {
                if (full) yield StepOutcome.skipped("full download: nothing to confirm");
                if (p.path("operatorContinued").asBoolean(false)) yield StepOutcome.done("confirmed by " + p.path("continuedBy").asString("the operator"));
                yield StepOutcome.waiting("phase 1 done: " + route.sourceDomain() + " still runs on " + away.name() + ". Confirm with"
                        + " `ferry jobs continue " + job.id() + "` to shut it down, synchronise the rest and start " + m.name()
                        + " on " + home.name());
            }
            case Steps.SHUTDOWN_SOURCE -> {
                if (ProtectionState.PROTECTED.name().equals(pm.state())) {
                    // nothing is shut down unless the machine's own copy can receive the data: shut off, its agent there
                    String why = notReady(t, m, home);
                    if (why != null) {
                        yield StepOutcome.failed("WRONG_STATE", "failback of " + m.name() + " refused before anything was"
                                + " shut down: " + why, "shut down the stale copy if one runs, make sure the agents run, and"
                                + " fail back again");
                    }
                    if (!lifecycle.apply(pm, m.name(), ProtectionEvent.FAILOVER)) yield StepOutcome.waiting("retrying");
                    yield StepOutcome.waiting("shutting " + route.sourceDomain() + " down on " + away.name());
                }
                Optional<PowerReport> r = reports.power(away.id(), Assignments.powerId(job));
                if (r.isPresent() && PowerReport.SHUT_OFF.equals(r.get().state())) {
                    yield StepOutcome.done(route.sourceDomain() + " shut down cleanly on " + away.name() + " at " + r.get().at());
                }
                if (r.isPresent() && !PowerReport.SHUTTING_DOWN.equals(r.get().state()) || steps.silent(away)) {
                    back(pm, m);
                    yield StepOutcome.failed("SOURCE_NOT_SHUT_DOWN", "failback of " + m.name() + " refused: " + (r.isPresent()
                            && r.get().error() != null ? r.get().error().message() : "agent " + away.name() + " is silent")
                            + "; nothing was changed: " + m.name() + " is PROTECTED and runs as " + route.sourceDomain(),
                            "shut " + route.sourceDomain() + " down from inside and start the failback again");
                }
                yield StepOutcome.waiting("shutting " + route.sourceDomain() + " down on " + away.name());
            }
            case Steps.FINAL_SYNC -> failover.finalSync("failback of " + m.name(), pm, reports.power(away.id(),
                    Assignments.powerId(job)), route.sourceDomain(), away, () -> back(pm, m));
            case Steps.RESTORE -> {
                // the machine starts only if the recovery-site copy is still off (the agent there watches it)
                Optional<PowerReport> off = reports.power(away.id(), Assignments.powerId(job));
                Optional<RestoreReport> w = reports.restore(home.id(), Assignments.restoreId(job, step));
                if (w.isPresent() && w.get().done() && !w.get().started()) {
                    if (off.isPresent() && PowerReport.RESTARTED.equals(off.get().state())) {
                        yield failover.restarted("failback of " + m.name(), off.get(), route.sourceDomain(), () -> back(pm, m));
                    }
                    if (w.get().error() != null && !Instant.now().isBefore(stepStart(job, step).plus(restorePatience))) {
                        back(pm, m);
                        yield StepOutcome.failed("RESTORE_FAILED", "failback of " + m.name() + " wrote its disks on " + home.name()
                                + " but cannot start " + t.domain() + ": " + w.get().error().message() + "; " + m.name()
                                + " is PROTECTED again and its recovery-site copy " + route.sourceDomain() + " is shut off",
                                "start " + route.sourceDomain() + " on " + away.name() + " (`virsh start " + route.sourceDomain()
                                + "`), fix the cause, and fail back again");
                    }
                    yield StepOutcome.waiting("written (" + w.get().bytesWritten() + " of " + w.get().bytesTotal() + " bytes);"
                            + " starting " + t.domain() + " on " + home.name() + " once " + away.name() + " confirms "
                            + route.sourceDomain() + " is still off" + (w.get().error() == null ? "" : ": " + w.get().error().message()));
                }
                yield restored(job, step, home, (full ? "full download: " : "phase 2: ") + t.domain() + " on " + home.name()
                        + " holds point ", pm);
            }
            default -> throw new IllegalStateException("unknown step " + step);
        };
    }

    /** Done when the home agent reported the step's restore done (for the last step: the machine started → FAILED_OVER). */
    private StepOutcome restored(Job job, String step, Host home, String what, ProtectedMachine finalOf) {
        Optional<RestoreReport> r = reports.restore(home.id(), Assignments.restoreId(job, step));
        if (r.isPresent() && r.get().done() && (finalOf == null || r.get().started())) {
            if (finalOf != null) {
                Machine m = store.machine(finalOf.machineId()).orElseThrow();
                boolean moved = store.inTransaction(tx -> {
                    // a re-run after a vault restart finds the machine FAILED_OVER already
                    if (!ProtectionState.FAILING_OVER.name().equals(finalOf.state())) return true;
                    if (!lifecycle.apply(finalOf, m.name(), ProtectionEvent.FAILOVER_DONE)) return false;
                    // the machine runs at the primary site again (its own domain, or the alternate one is the
                    // machine now); the recovery-site copy is the standby (a reprotect's seed)
                    FailbackTarget t = FailbackTarget.of(job, m);
                    tx.updateDirection(finalOf.id(), ProtectedMachine.REVERSE, t.inPlace(m) ? null : t.hostId(),
                            t.inPlace(m) ? null : t.domain(), finalOf.activeDomain());
                    return true;
                });
                if (!moved) return StepOutcome.waiting("retrying");
            }
            return StepOutcome.done(what + r.get().pointId() + " (" + r.get().bytesWritten() + " of " + r.get().bytesTotal()
                    + " bytes written)" + (finalOf == null ? "" : "; it runs on " + home.name()
                    + ": `ferry commit` accepts it, then `ferry reprotect` protects it again"));
        }
        if (r.isPresent() && r.get().error() != null) {
            // the agent retries a failed restore while the vault wants it: a passing error (the network to the
            // host that keeps the repository) is waited out for a while before the failback gives up
            if (finalOf == null || Instant.now().isBefore(stepStart(job, step).plus(restorePatience))) {
                return StepOutcome.waiting("writing into the disks on " + home.name() + ": " + r.get().error().message() + " (retrying)");
            }
            // the machine runs nowhere now: say so and go back to a state the operator can act on
            Machine m = store.machine(finalOf.machineId()).orElseThrow();
            back(finalOf, m);
            return StepOutcome.failed("RESTORE_FAILED", "failback of " + m.name() + " could not write its disks on " + home.name()
                    + ": " + r.get().error().message() + "; " + m.name() + " is PROTECTED again and its recovery-site copy "
                    + finalOf.activeDomain() + " is shut off", "start " + finalOf.activeDomain() + " on the recovery host"
                    + " (`virsh start " + finalOf.activeDomain() + "`), fix the cause, and fail back again");
        }
        return StepOutcome.waiting("writing the point into the disks on " + home.name()
                + (steps.silent(home) ? "; the host is SILENT: start its agent" : ""));
    }

    /** The failback target's power state as the inventory last reported it; null if no such domain is known there. */
    private String targetPower(FailbackTarget t, Machine m) {
        if (t.inPlace(m)) return m.powerState();
        return store.machinesByHost(t.hostId()).stream().filter(x -> x.name().equals(t.domain())).map(Machine::powerState)
                .findFirst().orElse(null);
    }

    /**
     * A stale copy that runs at the primary site, or null: the target domain (Ferry would write into
     * a running machine) or, for an alternate location, the machine's own domain (two copies would
     * run with the same MAC addresses).
     */
    private String staleCopyRuns(FailbackTarget t, Machine m, Host home) {
        String power = targetPower(t, m);
        if (t.inPlace(m) ? !"SHUTOFF".equals(power) : power != null && !"SHUTOFF".equals(power)) {
            return t.domain() + " runs on " + home.name() + " (" + power + "); Ferry writes the recovery site's data into it"
                    + " and will not overwrite a running machine";
        }
        if (!t.inPlace(m) && m.powerState() != null && !"SHUTOFF".equals(m.powerState())
                && !Machine.MISSING.equals(m.powerState())) {
            return m.name() + " still runs on " + store.host(m.hostId()).map(Host::name).orElse(m.hostId()) + " ("
                    + m.powerState() + "); a second copy on " + home.name() + " would run with the same MAC addresses";
        }
        return null;
    }

    /** Why the primary site cannot receive the machine now (before anything is shut down), or null. */
    private String notReady(FailbackTarget t, Machine m, Host home) {
        String running = staleCopyRuns(t, m, home);
        if (running != null) return running;
        if (steps.silent(home)) return "agent " + home.name() + " is silent";
        if (!t.hostId().equals(m.hostId())) {
            Host keeper = store.host(m.hostId()).orElseThrow();
            if (steps.silent(keeper) || keeper.dataAddress() == null) {
                return "agent " + keeper.name() + ", which keeps the reverse repository " + home.name() + " reads the machine"
                        + " from, is " + (keeper.dataAddress() == null ? "without a data port (--data-listen)" : "silent");
            }
        }
        return null;
    }

    private static Instant stepStart(Job job, String step) {
        return job.steps().stream().filter(s -> s.name().equals(step)).map(JobStep::startedAt)
                .filter(java.util.Objects::nonNull).findFirst().orElse(Instant.now());
    }

    private void back(ProtectedMachine pm, Machine m) {
        lifecycle.applyWhile(pm.id(), m.name(), ProtectionState.FAILING_OVER, ProtectionEvent.FAILED);
    }

    @Override
    public boolean cancellable(Job job, String step) {
        return !Steps.RESTORE.equals(step);
    }

    @Override
    public String cancel(Job job) {
        Optional<ProtectedMachine> pmo = store.protectedMachine(job.targetId());
        if (pmo.isEmpty()) return "cancelled";
        Machine m = store.machine(pmo.get().machineId()).orElseThrow();
        back(pmo.get(), m);
        return "cancelled; " + m.name() + " is PROTECTED and replicates back as before"
                + (Steps.FINAL_SYNC.equals(job.step()) ? " once its recovery-site copy is started again (it was shut down)" : "");
    }
}
