package io.ferry.vault.jobs;

import io.ferry.orchestrator.jobs.JobType;
import io.ferry.orchestrator.lifecycle.IllegalTransitionException;
import io.ferry.orchestrator.lifecycle.ProtectionEvent;
import io.ferry.orchestrator.lifecycle.ProtectionState;
import io.ferry.vault.api.ApiException;
import io.ferry.vault.store.ConflictException;
import io.ferry.vault.store.Host;
import io.ferry.vault.store.Job;
import io.ferry.vault.store.JobStep;
import io.ferry.vault.store.Machine;
import io.ferry.vault.store.Pairing;
import io.ferry.vault.store.ProtectedMachine;
import io.ferry.vault.store.VaultStore;
import tools.jackson.databind.json.JsonMapper;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Starts and cancels jobs: the operations of the API. Each start checks the lifecycle table and
 * the one-active-job rule, then writes the protected machine's new state and the job in one
 * transaction, so a refused operation changes nothing.
 */
public final class Jobs {
    private final VaultStore store;
    private final JsonMapper json;
    private JobEngine engine;

    public Jobs(VaultStore store, JsonMapper json) {
        this.store = store;
        this.json = json;
    }

    void engine(JobEngine e) {
        this.engine = e;
    }

    /** Wires the handlers of every job type into a new engine. */
    public JobEngine newEngine(io.ferry.vault.agents.AgentReports reports, java.time.Duration silentAfter, java.time.Duration tick) {
        Lifecycle lifecycle = new Lifecycle(store);
        JobEngine e = new JobEngine(store, tick)
                .register(JobType.ENABLE_PROTECTION, new EnableProtection(store, reports, lifecycle, json, this))
                .register(JobType.DISABLE_PROTECTION, new DisableProtection(store, reports, lifecycle, json, silentAfter))
                .register(JobType.RESYNC, new Resync(store, lifecycle, json));
        engine(e);
        return e;
    }

    /** Enable protection of {@code machineId} under {@code pairingId}. */
    public Job protect(String machineId, String pairingId, String actor) {
        Machine m = store.machine(machineId).orElseThrow(() -> ApiException.notFound("machine", machineId));
        Pairing p = store.pairing(pairingId).orElseThrow(() -> ApiException.notFound("pairing", pairingId));
        Host h = store.host(m.hostId()).orElseThrow();
        if (!h.siteId().equals(p.primarySiteId())) {
            throw ApiException.invalid("machine " + m.name() + " is on host " + h.name() + " of site " + h.siteId()
                    + ", but pairing " + p.name() + " protects site " + p.primarySiteId(),
                    "choose a pairing whose primary site is the machine's site");
        }
        if (Machine.MISSING.equals(m.powerState())) {
            throw ApiException.wrongState("machine " + m.name() + " is no longer defined on host " + h.name(),
                    "check `virsh list --all` on the host");
        }
        Optional<ProtectedMachine> existing = store.protectedMachineByMachine(m.id());
        if (existing.isPresent()) {
            throw ApiException.wrongState("machine " + m.name() + " is already protected (state "
                    + existing.get().state() + ", protected machine " + existing.get().id() + ")",
                    "disable protection first with `ferry unprotect " + m.name() + "`");
        }
        try {
            return store.inTransaction(tx -> {
                ProtectedMachine pm = tx.createProtectedMachine(m.id(), p.id(),
                        Lifecycle.next(new ProtectedMachine(null, m.id(), p.id(), ProtectionState.UNPROTECTED.name(),
                                null, null, null, null, null, null, null, null, null, 0), m.name(), ProtectionEvent.ENABLE).name());
                return tx.createJob(newJob(JobType.ENABLE_PROTECTION, pm.id(), Map.of("machineId", m.id(), "machineName", m.name(), "pairingId", p.id()), actor));
            });
        } catch (ConflictException e) {
            throw ApiException.conflict("cannot protect machine " + m.name() + ": " + e.getMessage(),
                    "wait for the running job to end (`ferry jobs --watch`)");
        }
    }

    /** Disable protection; {@code deletePoints} also deletes the recovery points. */
    public Job unprotect(String protectedMachineId, boolean deletePoints, String actor) {
        ProtectedMachine pm = store.protectedMachine(protectedMachineId)
                .orElseThrow(() -> ApiException.notFound("protected machine", protectedMachineId));
        Machine m = store.machine(pm.machineId()).orElseThrow();
        Optional<Job> active = store.activeJobFor(pm.id());
        if (active.isPresent()) {
            throw ApiException.conflict("machine " + m.name() + " has a running job " + active.get().id() + " ("
                    + active.get().type() + ")", active.get().type().equals(JobType.ENABLE_PROTECTION.name())
                    ? "cancel it with `ferry jobs cancel " + active.get().id() + "` (that also disables protection)"
                    : "wait for it to end (`ferry jobs --watch " + active.get().id() + "`)");
        }
        try {
            // UNPROTECTED here means a half-finished earlier disable (e.g. a cancel cut by a restart): finish it
            if (!ProtectionState.UNPROTECTED.name().equals(pm.state())) Lifecycle.next(pm, m.name(), ProtectionEvent.DISABLE);
        } catch (IllegalTransitionException e) {
            throw ApiException.wrongState("cannot disable protection of " + m.name() + ": " + e.getMessage(), null);
        }
        return createJob(JobType.DISABLE_PROTECTION, pm.id(), Map.of("deletePoints", deletePoints, "machineName", m.name()), actor);
    }

    /** A resync after change tracking was lost (started by the monitor). */
    public Optional<Job> resync(String protectedMachineId, String actor) {
        if (store.activeJobFor(protectedMachineId).isPresent()) return Optional.empty();
        try {
            Map<String, Object> params = new java.util.HashMap<>();
            store.protectedMachine(protectedMachineId).ifPresent(pm -> {
                if (pm.latestPointId() != null) params.put("fromPoint", pm.latestPointId());
                store.machine(pm.machineId()).ifPresent(m -> params.put("machineName", m.name()));
            });
            return Optional.of(createJob(JobType.RESYNC, protectedMachineId, params, actor));
        } catch (ApiException e) {
            return Optional.empty();
        }
    }

    void startCleanupAfterCancel(String protectedMachineId, String cancelledJobId) {
        try {
            // points are kept: a repository may hold earlier points of the same machine that must not go with it
            store.createJob(newJob(JobType.DISABLE_PROTECTION, protectedMachineId, Map.of("deletePoints", false),
                    "system (cleanup after cancelled job " + cancelledJobId + ")"));
        } catch (ConflictException ignored) {
            // the cancelled job is still active in this transaction's view; the engine saves it next
        }
    }

    /** Asks the engine to cancel {@code jobId} at its next tick. */
    public Job cancel(String jobId, String actor) {
        synchronized (engine) {
            Job job = store.job(jobId).orElseThrow(() -> ApiException.notFound("job", jobId));
            if (!job.active()) {
                throw ApiException.wrongState("job " + jobId + " is " + job.state() + "; only running jobs can be cancelled", null);
            }
            if (Job.CANCELLING.equals(job.state())) return job;
            if (!cancellable(job)) {
                throw ApiException.wrongState("job " + jobId + " (" + job.type() + ") cannot be cancelled at step " + job.step(),
                        "it ends by itself; watch it with `ferry jobs --watch " + jobId + "`");
            }
            return store.updateJob(new Job(job.id(), job.type(), job.targetId(), Job.CANCELLING, job.step(), job.steps(),
                    job.progress(), job.params(), null, job.requestedBy(), job.createdAt(), job.startedAt(), null, Instant.now()));
        }
    }

    public boolean cancellable(Job job) {
        return job.active() && engine != null && engine.handler(job).cancellable(job, job.step());
    }

    private Job createJob(JobType type, String targetId, Map<String, Object> params, String actor) {
        try {
            return store.createJob(newJob(type, targetId, params, actor));
        } catch (ConflictException e) {
            throw ApiException.conflict(e.getMessage(), "wait for the running job to end (`ferry jobs --watch`)");
        }
    }

    private Job newJob(JobType type, String targetId, Map<String, Object> params, String actor) {
        Instant now = Instant.now();
        List<JobStep> steps = type.steps().stream().map(s -> new JobStep(s, "PENDING", null, null, null)).toList();
        return new Job("job-" + UUID.randomUUID().toString().substring(0, 8), type.name(), targetId, Job.QUEUED,
                steps.getFirst().name(), steps, null, json.writeValueAsString(params), null, actor, now, null, null, now);
    }
}
