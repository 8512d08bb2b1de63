package io.ferry.vault.jobs;

import io.ferry.orchestrator.jobs.JobType.Steps;
import io.ferry.orchestrator.lifecycle.ProtectionEvent;
import io.ferry.orchestrator.lifecycle.ProtectionState;
import io.ferry.protocol.RepositoryReport;
import io.ferry.protocol.SeedReport;
import io.ferry.vault.agents.AgentReports;
import io.ferry.vault.agents.Assignments;
import io.ferry.vault.agents.ReplicationRoute;
import io.ferry.vault.store.Host;
import io.ferry.vault.store.Job;
import io.ferry.vault.store.Machine;
import io.ferry.vault.store.Pairing;
import io.ferry.vault.store.ProtectedMachine;
import io.ferry.vault.store.RecoveryPoint;
import io.ferry.vault.store.VaultStore;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.util.Optional;

/**
 * The machine runs at the other site now (COMMITTED); replicate it back. The job's request already
 * flipped the direction (REPROTECTING). prepare-repository: the target host keeps the repository.
 * seed: the target host captures its standby copy (the old disk) into it locally, so that what
 * is already there never crosses the network. initial-replication: the first cycle from the
 * running domain, by digests (chunks the seed stored are not sent) → PROTECTED in the new
 * direction. Cancellable at every step: back to COMMITTED in the old direction.
 */
final class Reprotect implements JobHandler {
    private final VaultStore store;
    private final AgentReports reports;
    private final Lifecycle lifecycle;
    private final RecoveryVmSteps steps;
    private final JsonMapper json;

    Reprotect(VaultStore store, AgentReports reports, Lifecycle lifecycle, RecoveryVmSteps steps, JsonMapper json) {
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
        Pairing pairing = store.pairing(pm.pairingId()).orElseThrow();
        ReplicationRoute route = ReplicationRoute.of(pm, m, pairing);
        Host target = store.host(route.targetHostId()).orElseThrow();
        JsonNode p = json.readTree(job.params());
        return switch (step) {
            case Steps.PREPARE_REPOSITORY -> {
                if (target.dataAddress() == null) {
                    yield StepOutcome.waiting("waiting for " + target.name() + " to report its data port (start its agent with"
                            + " --data-listen ADDRESS:PORT: it receives the replication now)");
                }
                Optional<RepositoryReport> r = reports.repository(target.id(), route.repository());
                if (r.isEmpty() || !r.get().ready()) {
                    yield StepOutcome.waiting("waiting for " + target.name() + " to prepare repository " + route.repository()
                            + (r.isPresent() && r.get().error() != null ? ": " + r.get().error().message() : ""));
                }
                yield StepOutcome.done("repository " + route.repository() + " ready on " + target.name());
            }
            case Steps.SEED -> {
                if (pm.standbyDomain() == null) yield StepOutcome.skipped("no copy of " + m.name() + " on " + target.name()
                        + " to seed from: the first cycle sends every chunk");
                Optional<SeedReport> r = reports.seed(target.id(), Assignments.seedId(job));
                if (r.isPresent() && r.get().done()) {
                    yield StepOutcome.done("seeded " + route.repository() + " from " + pm.standbyDomain() + " on " + target.name()
                            + " (local, " + r.get().bytesRead() + " bytes read, " + r.get().bytesStored() + " stored)");
                }
                if (r.isPresent() && r.get().error() != null) {
                    yield StepOutcome.skipped("could not seed from " + pm.standbyDomain() + " on " + target.name() + ": "
                            + r.get().error().message() + "; the first cycle sends every chunk");
                }
                yield StepOutcome.waiting("seeding " + route.repository() + " from " + pm.standbyDomain() + " on " + target.name()
                        + (steps.silent(target) ? "; the host is SILENT: start its agent" : ""));
            }
            case Steps.INITIAL_REPLICATION -> {
                String from = p.path("fromPoint").asString(null);
                Optional<RecoveryPoint> latest = pm.latestPointId() == null ? Optional.empty() : store.point(pm.latestPointId());
                if (latest.isPresent() && !latest.get().id().equals(from) && route.repository().equals(latest.get().repository())) {
                    if (ProtectionState.REPROTECTING.name().equals(pm.state())
                            && !lifecycle.apply(pm, m.name(), ProtectionEvent.REPROTECT_DONE)) {
                        yield StepOutcome.waiting("retrying");
                    }
                    yield StepOutcome.done("first point " + latest.get().id() + " in " + route.repository() + ": "
                            + latest.get().bytesRead() + " bytes read, " + latest.get().bytesStored() + " stored (sent);"
                            + " " + m.name() + " is PROTECTED from " + route.sourceDomain());
                }
                yield StepOutcome.waiting("replicating " + route.sourceDomain() + " into " + route.repository() + " on "
                        + target.name() + " (by digests)" + (pm.lastError() == null ? "" : "; last error: " + pm.lastError()));
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
        Optional<ProtectedMachine> pmo = store.protectedMachine(job.targetId());
        if (pmo.isEmpty()) return "cancelled";
        ProtectedMachine pm = pmo.get();
        Machine m = store.machine(pm.machineId()).orElseThrow();
        if (ProtectionState.REPROTECTING.name().equals(pm.state())) {
            store.inTransaction(tx -> {
                if (lifecycle.apply(pm, m.name(), ProtectionEvent.FAILED)) {
                    tx.updateDirection(pm.id(), pm.reversed() ? ProtectedMachine.FORWARD : ProtectedMachine.REVERSE,
                            pm.activeHostId(), pm.activeDomain(), pm.standbyDomain());
                }
                return null;
            });
        }
        return "cancelled; " + m.name() + " is COMMITTED (not replicated); `ferry reprotect " + m.name() + "` starts again";
    }
}
