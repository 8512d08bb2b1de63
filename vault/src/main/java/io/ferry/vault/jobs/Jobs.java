package io.ferry.vault.jobs;

import io.ferry.orchestrator.jobs.JobType;
import io.ferry.orchestrator.lifecycle.IllegalTransitionException;
import io.ferry.orchestrator.lifecycle.ProtectionEvent;
import io.ferry.orchestrator.lifecycle.ProtectionState;
import io.ferry.orchestrator.lifecycle.TestFailoverEvent;
import io.ferry.orchestrator.lifecycle.TestFailoverState;
import io.ferry.vault.store.RecoveryPoint;
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
    private java.time.Duration silentAfter = java.time.Duration.ofSeconds(30);

    public Jobs(VaultStore store, JsonMapper json) {
        this.store = store;
        this.json = json;
    }

    void engine(JobEngine e) {
        this.engine = e;
    }

    /**
     * Wires the handlers of every job type into a new engine. {@code restorePatience}: how long a
     * failback waits out restore errors at its last step before it fails.
     */
    public JobEngine newEngine(io.ferry.vault.agents.AgentReports reports, java.time.Duration silentAfter, java.time.Duration tick,
                               java.time.Duration restorePatience) {
        Lifecycle lifecycle = new Lifecycle(store);
        JobEngine e = new JobEngine(store, tick)
                .register(JobType.ENABLE_PROTECTION, new EnableProtection(store, reports, lifecycle, json, this))
                .register(JobType.DISABLE_PROTECTION, new DisableProtection(store, reports, lifecycle, json, silentAfter))
                .register(JobType.RESYNC, new Resync(store, lifecycle, json));
        RecoveryVmSteps rvm = new RecoveryVmSteps(store, reports, silentAfter);
        FailoverSteps failover = new FailoverSteps(store, lifecycle, rvm, json);
        e.register(JobType.TEST_FAILOVER, new TestFailover(store, lifecycle, rvm, json, this))
                .register(JobType.TEST_FAILOVER_CLEANUP, new TestFailoverCleanup(store, lifecycle, rvm))
                .register(JobType.PLANNED_FAILOVER, new PlannedFailover(store, rvm, failover))
                .register(JobType.UNPLANNED_FAILOVER, new UnplannedFailover(store, lifecycle, rvm, failover, json))
                .register(JobType.CHANGE_POINT, new ChangePoint(store, rvm, json))
                .register(JobType.COMMIT, new Commit(store, reports, lifecycle, rvm))
                .register(JobType.REPROTECT, new Reprotect(store, reports, lifecycle, rvm, json))
                .register(JobType.FAILBACK, new Failback(store, reports, lifecycle, rvm, failover, json, restorePatience));
        this.silentAfter = silentAfter;
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
                                null, null, null, null, null, null, null, null, null, 0, "NONE", ProtectedMachine.FORWARD, null, null, null), m.name(), ProtectionEvent.ENABLE).name());
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
            throw ApiException.wrongState("cannot disable protection of " + m.name() + ": " + e.getMessage(),
                    nextSteps(m.name(), pm.state()));
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

    /**
     * A drill of {@code protectedMachineId} from the point {@code point} names (null: latest), as
     * domain {@code domainName} (null: NAME-test) on {@code network} (null: a new isolated network).
     */
    public Job testFailover(String protectedMachineId, String point, String domainName, String network, String actor) {
        ProtectedMachine pm = requirePm(protectedMachineId);
        Machine m = store.machine(pm.machineId()).orElseThrow();
        check(() -> Lifecycle.next(pm, m.name(), TestFailoverEvent.START), "start a test failover of " + m.name());
        Pairing pairing = store.pairing(pm.pairingId()).orElseThrow();
        // the drill runs where the machine replicates to now: the recovery site, or (replicating back) its own host
        io.ferry.vault.agents.ReplicationRoute route = io.ferry.vault.agents.ReplicationRoute.of(pm, m, pairing);
        new RecoveryVmSteps(store, null, silentAfter).resolveIn(pm, point, route.repository()).orElseThrow(() ->
                ApiException.notFound("recovery point", RecoveryVmSteps.describe(point) + " of " + m.name() + " in repository "
                        + route.repository()));
        String name = domainName == null ? m.name() + "-test" : validDomainName(domainName);
        requireFreeName(route.targetHostId(), name);
        boolean create = network == null;
        String net = create ? "ferry-iso-" + UUID.randomUUID().toString().substring(0, 6) : network;
        Map<String, Object> params = new java.util.HashMap<>(Map.of("machineName", m.name(), "domainName", name,
                "network", net, "createNetwork", create));
        if (point != null) params.put("point", point);
        return createJob(JobType.TEST_FAILOVER, pm.id(), params, actor);
    }

    /** Removes everything the drill of {@code protectedMachineId} made. */
    public Job testFailoverCleanup(String protectedMachineId, String actor) {
        ProtectedMachine pm = requirePm(protectedMachineId);
        Machine m = store.machine(pm.machineId()).orElseThrow();
        requireNoJob(pm, m);
        if (!TestFailoverState.CLEANING_UP.name().equals(pm.testState())) {
            check(() -> Lifecycle.next(pm, m.name(), TestFailoverEvent.CLEANUP), "clean up the test failover of " + m.name());
        }
        try {
            return store.inTransaction(tx -> {
                if (TestFailoverState.RUNNING.name().equals(pm.testState())
                        && !tx.updateTestState(pm.id(), pm.version(), TestFailoverState.CLEANING_UP.name())) {
                    throw new ConflictException("the machine changed meanwhile", "try again");
                }
                return tx.createJob(newJob(JobType.TEST_FAILOVER_CLEANUP, pm.id(), Map.of("machineName", m.name()), actor));
            });
        } catch (ConflictException e) {
            throw ApiException.conflict("cannot clean up the test failover of " + m.name() + ": " + e.getMessage(),
                    "wait for the running job to end (`ferry jobs --watch`)");
        }
    }

    void startTestCleanup(String protectedMachineId, String endedJobId) {
        store.protectedMachine(protectedMachineId).ifPresent(pm -> {
            if (!TestFailoverState.CLEANING_UP.name().equals(pm.testState())) return;
            try {
                store.createJob(newJob(JobType.TEST_FAILOVER_CLEANUP, pm.id(), Map.of(),
                        "system (cleanup after job " + endedJobId + ")"));
            } catch (ConflictException ignored) {
                // another job runs; `ferry test-failover --cleanup` finishes it later
            }
        });
    }

    /**
     * A failover of {@code protectedMachineId} to the recovery site. Planned: shut down, final
     * sync, start (refused unless the source can do its part). Unplanned: from the point
     * {@code point} names, optionally trying to shut the source down first.
     */
    public Job failover(String protectedMachineId, boolean planned, String point, boolean shutdownSource,
                        Integer shutdownTimeoutSeconds, String domainName, String actor) {
        ProtectedMachine pm = requirePm(protectedMachineId);
        Machine m = store.machine(pm.machineId()).orElseThrow();
        String what = (planned ? "planned" : "unplanned") + " failover of " + m.name();
        if (pm.reversed()) {
            throw ApiException.wrongState("cannot start a " + what + ": it replicates from the recovery site back home",
                    "to go home, use `ferry failback " + m.name() + "`");
        }
        check(() -> Lifecycle.next(pm, m.name(), ProtectionEvent.FAILOVER), "start a " + what);
        if (shutdownTimeoutSeconds != null && (shutdownTimeoutSeconds < 10 || shutdownTimeoutSeconds > 3600)) {
            throw ApiException.invalid("shutdownTimeoutSeconds must be 10-3600, got " + shutdownTimeoutSeconds, null);
        }
        Pairing pairing = store.pairing(pm.pairingId()).orElseThrow();
        String name = domainName == null ? m.name() : validDomainName(domainName);
        requireFreeName(pairing, name);
        Map<String, Object> params = new java.util.HashMap<>(Map.of("machineName", m.name(), "domainName", name,
                "shutdownTimeoutSeconds", shutdownTimeoutSeconds == null
                        ? io.ferry.vault.agents.Assignments.DEFAULT_SHUTDOWN_TIMEOUT_SECONDS : shutdownTimeoutSeconds));
        if (planned) {
            if (point != null) {
                throw ApiException.invalid("a planned failover always uses the final-sync point; 'point' is for unplanned ones", null);
            }
            if (!ProtectionState.PROTECTED.name().equals(pm.state())) {
                throw ApiException.wrongState("cannot start a " + what + ": it is " + pm.state()
                        + "; a planned failover needs a PROTECTED machine", "fail over unplanned from a point, or wait for the resync");
            }
            // the host the machine runs on now (its own, or the alternate one a failback brought it to)
            Host src = store.host(io.ferry.vault.agents.ReplicationRoute.of(pm, m, pairing).sourceHostId()).orElseThrow();
            if (src.lastHeartbeatAt() == null || src.lastHeartbeatAt().isBefore(Instant.now().minus(silentAfter))) {
                throw ApiException.wrongState("cannot start a " + what + ": source agent " + src.name() + " is silent, so"
                        + " Ferry cannot shut it down and synchronise it", "bring the agent back, or fail over unplanned"
                        + " (`ferry failover " + m.name() + " --unplanned`)");
            }
            try {
                return store.inTransaction(tx -> {
                    if (!tx.updateState(pm.id(), pm.version(), ProtectionState.FAILING_OVER.name(), Instant.now())) {
                        throw new ConflictException("the machine changed meanwhile", "try again");
                    }
                    return tx.createJob(newJob(JobType.PLANNED_FAILOVER, pm.id(), params, actor));
                });
            } catch (ConflictException e) {
                throw ApiException.conflict("cannot start a " + what + ": " + e.getMessage(),
                        "wait for the running job to end (`ferry jobs --watch`)");
            }
        }
        requirePoint(pm, m, point);
        if (point != null) params.put("point", point);
        params.put("shutdownSource", shutdownSource);
        return createJob(JobType.UNPLANNED_FAILOVER, pm.id(), params, actor);
    }

    /**
     * Replicate a COMMITTED machine from where it runs now back to the other site (reverse after a
     * failover, forward again after a failback). The direction flips now; the job seeds and copies.
     */
    public Job reprotect(String protectedMachineId, String actor) {
        ProtectedMachine pm = requirePm(protectedMachineId);
        Machine m = store.machine(pm.machineId()).orElseThrow();
        check(() -> Lifecycle.next(pm, m.name(), ProtectionEvent.REPROTECT), "reprotect " + m.name());
        requireNoJob(pm, m);
        Map<String, Object> params = new java.util.HashMap<>(Map.of("machineName", m.name(),
                "direction", pm.reversed() ? ProtectedMachine.FORWARD : ProtectedMachine.REVERSE));
        if (pm.latestPointId() != null) params.put("fromPoint", pm.latestPointId());
        try {
            return store.inTransaction(tx -> {
                if (!tx.updateState(pm.id(), pm.version(), ProtectionState.REPROTECTING.name(), Instant.now())) {
                    throw new ConflictException("the machine changed meanwhile", "try again");
                }
                tx.updateDirection(pm.id(), pm.reversed() ? ProtectedMachine.FORWARD : ProtectedMachine.REVERSE,
                        pm.activeHostId(), pm.activeDomain(), pm.standbyDomain());
                return tx.createJob(newJob(JobType.REPROTECT, pm.id(), params, actor));
            });
        } catch (ConflictException e) {
            throw ApiException.conflict("cannot reprotect " + m.name() + ": " + e.getMessage(),
                    "wait for the running job to end (`ferry jobs --watch`)");
        }
    }

    /**
     * A planned failover back to the primary site, while the machine replicates in reverse:
     * {@code sync} delta (phase 1 while the recovery-site VM runs, the operator confirms, phase 2)
     * or full (every chunk, no comparison); into the machine's own domain (in place, the default)
     * or into {@code domainName} on {@code host} (id or name, a host of the primary site; created
     * there from the point's configuration if it does not exist).
     */
    public Job failback(String protectedMachineId, String sync, Integer shutdownTimeoutSeconds, String host, String domainName,
                        String actor) {
        ProtectedMachine pm = requirePm(protectedMachineId);
        Machine m = store.machine(pm.machineId()).orElseThrow();
        String s = sync == null ? "delta" : sync;
        if (!s.equals("delta") && !s.equals("full")) throw ApiException.invalid("sync must be delta or full, got '" + sync + "'", null);
        if (!pm.reversed() || !ProtectionState.PROTECTED.name().equals(pm.state())) {
            throw ApiException.wrongState(pm.reversed() ? "cannot fail " + m.name() + " back: it is " + pm.state()
                    : "cannot fail " + m.name() + " back: it never failed over and was reprotected (it is " + pm.state()
                    + " and replicates from its own host)",
                    pm.reversed() ? "wait for it to be PROTECTED" : "a failback follows a failover, a commit and a reprotect");
        }
        if (shutdownTimeoutSeconds != null && (shutdownTimeoutSeconds < 10 || shutdownTimeoutSeconds > 3600)) {
            throw ApiException.invalid("shutdownTimeoutSeconds must be 10-3600, got " + shutdownTimeoutSeconds, null);
        }
        Map<String, Object> params = new java.util.HashMap<>(Map.of("machineName", m.name(), "sync", s, "shutdownTimeoutSeconds",
                shutdownTimeoutSeconds == null ? io.ferry.vault.agents.Assignments.DEFAULT_SHUTDOWN_TIMEOUT_SECONDS
                        : shutdownTimeoutSeconds));
        Host target = host == null ? store.host(m.hostId()).orElseThrow() : failbackHost(pm, m, host);
        String name = domainName == null ? m.name() : validDomainName(domainName);
        if (!target.id().equals(m.hostId()) || !name.equals(m.name())) {
            // an existing domain of that name is written into (an old copy of the machine); never another protected one
            Optional<Machine> there = store.machinesByHost(target.id()).stream().filter(x -> x.name().equals(name)).findFirst();
            // ... nor a domain that is another protected machine now (a failback elsewhere made it), nor a recovery VM
            boolean someonesNow = store.protectedMachines().stream().anyMatch(o -> !o.id().equals(pm.id())
                    && target.id().equals(o.activeHostId()) && name.equals(o.activeDomain()))
                    || store.recoveryVmsByHost(target.id()).stream().anyMatch(v -> v.domainName().equals(name));
            if (someonesNow || there.isPresent() && store.protectedMachineByMachine(there.get().id()).isPresent()) {
                throw ApiException.conflict("cannot fail " + m.name() + " back as " + name + " on " + target.name()
                        + ": " + name + " there is another protected machine and Ferry would overwrite its disks",
                        "choose another domain name (--name), or fail back in place");
            }
            params.put("hostId", target.id());
            params.put("domainName", name);
        }
        requireNoJob(pm, m);
        return createJob(JobType.FAILBACK, pm.id(), params, actor);
    }

    /** A host of the pairing's primary site, by id or name (the alternate location of a failback). */
    private Host failbackHost(ProtectedMachine pm, Machine m, String host) {
        Pairing pairing = store.pairing(pm.pairingId()).orElseThrow();
        List<Host> candidates = store.hostsBySite(pairing.primarySiteId());
        return candidates.stream().filter(h -> h.id().equals(host) || h.name().equals(host)).findFirst()
                .orElseThrow(() -> ApiException.invalid("cannot fail " + m.name() + " back to host '" + host
                        + "': it is not a host of the pairing's primary site", "choose one of "
                        + candidates.stream().map(Host::name).toList() + " (`ferry hosts`), or leave the host out to fail back in place"));
    }

    /** The operator's go at a step that waits for one (a failback's complete-failover). */
    public Job continueJob(String jobId, String actor) {
        synchronized (engine) {
            Job job = store.job(jobId).orElseThrow(() -> ApiException.notFound("job", jobId));
            if (!job.active() || !JobType.Steps.COMPLETE_FAILOVER.equals(job.step())) {
                throw ApiException.wrongState("job " + jobId + " (" + job.type() + ", " + job.state() + ") is not waiting for the"
                        + " operator (step " + job.step() + ")", "only a failback's complete-failover step waits for `continue`");
            }
            Map<String, Object> params = new java.util.HashMap<>(json.readValue(job.params(),
                    new tools.jackson.core.type.TypeReference<Map<String, Object>>() {}));
            params.put("operatorContinued", true);
            params.put("continuedBy", actor);
            return store.updateJob(new Job(job.id(), job.type(), job.targetId(), job.state(), job.step(), job.steps(),
                    job.progress(), json.writeValueAsString(params), job.error(), job.requestedBy(), job.createdAt(),
                    job.startedAt(), job.endedAt(), Instant.now()));
        }
    }

    /** Before commit: run the failed-over machine from another point. */
    public Job changePoint(String protectedMachineId, String point, String actor) {
        ProtectedMachine pm = requirePm(protectedMachineId);
        Machine m = store.machine(pm.machineId()).orElseThrow();
        check(() -> Lifecycle.next(pm, m.name(), ProtectionEvent.CHANGE_POINT), "change the point of " + m.name());
        RecoveryPoint p = requirePoint(pm, m, point);
        return createJob(JobType.CHANGE_POINT, pm.id(), Map.of("machineName", m.name(), "pointId", p.id()), actor);
    }

    /** Accept the failover of {@code protectedMachineId}. */
    public Job commit(String protectedMachineId, String actor) {
        ProtectedMachine pm = requirePm(protectedMachineId);
        Machine m = store.machine(pm.machineId()).orElseThrow();
        check(() -> Lifecycle.next(pm, m.name(), ProtectionEvent.COMMIT), "commit the failover of " + m.name());
        return createJob(JobType.COMMIT, pm.id(), Map.of("machineName", m.name()), actor);
    }

    private ProtectedMachine requirePm(String id) {
        return store.protectedMachine(id).orElseThrow(() -> ApiException.notFound("protected machine", id));
    }

    private void requireNoJob(ProtectedMachine pm, Machine m) {
        Optional<Job> active = store.activeJobFor(pm.id());
        if (active.isPresent()) {
            throw ApiException.conflict("machine " + m.name() + " has a running job " + active.get().id() + " ("
                    + active.get().type() + ")", "wait for it to end (`ferry jobs --watch " + active.get().id() + "`)");
        }
    }

    private static void check(Runnable transition, String operation) {
        try {
            transition.run();
        } catch (IllegalTransitionException e) {
            throw ApiException.wrongState("cannot " + operation + ": " + e.getMessage(), nextSteps(e.machine(), e.state()));
        }
    }

    /** What the operator can do with a machine in {@code state} (the hint of a wrong-state refusal). */
    static String nextSteps(String machine, String state) {
        ProtectionState st;
        try {
            st = ProtectionState.valueOf(state);
        } catch (IllegalArgumentException | NullPointerException e) {
            return "see `ferry protected` for its state";
        }
        return switch (st) {
            case PROTECTED -> "it is PROTECTED: `ferry test-failover " + machine + "`, `ferry failover " + machine
                    + " --planned|--unplanned`, `ferry failback " + machine + "` once it replicates back, or `ferry unprotect "
                    + machine + "`";
            case FAILED_OVER -> "it is FAILED_OVER: `ferry commit " + machine + "` accepts the failover, `ferry change-point "
                    + machine + " POINT` runs it from another point";
            case COMMITTED -> "it is COMMITTED: `ferry reprotect " + machine + "` replicates it to the other site";
            case ENABLING, INITIAL_REPLICATION, RESYNC_REQUIRED, RESYNCING -> "wait until it is PROTECTED (`ferry protected`)";
            case FAILING_OVER, REPROTECTING -> "a job is moving it: wait for it to end (`ferry jobs --watch`)";
            case UNPROTECTED -> "protect it first (`ferry protect " + machine + " --pairing PAIRING`)";
        };
    }

    private RecoveryPoint requirePoint(ProtectedMachine pm, Machine m, String selector) {
        return new RecoveryVmSteps(store, null, silentAfter).resolve(pm, selector).orElseThrow(() -> ApiException.notFound(
                "recovery point", RecoveryVmSteps.describe(selector) + " of " + m.name()));
    }

    private static String validDomainName(String name) {
        if (!name.matches("[A-Za-z0-9][A-Za-z0-9_.+-]{0,62}")) {
            throw ApiException.invalid("domainName '" + name + "' must be 1-63 of [A-Za-z0-9_.+-], starting with a letter or digit", null);
        }
        return name;
    }

    /** The recovery host must not already have a domain (or a recovery VM) of that name. */
    private void requireFreeName(Pairing pairing, String name) {
        requireFreeName(pairing.recoveryHostId(), name);
    }

    /** {@code hostId} must not already have a domain (or a recovery VM) of that name. */
    private void requireFreeName(String hostId, String name) {
        boolean taken = store.machinesByHost(hostId).stream()
                .anyMatch(x -> x.name().equals(name) && !Machine.MISSING.equals(x.powerState()))
                || store.recoveryVmsByHost(hostId).stream().anyMatch(v -> v.domainName().equals(name));
        if (taken) {
            throw ApiException.conflict("host " + store.host(hostId).map(Host::name).orElse(hostId) + " already has a domain named " + name,
                    "choose another name for the recovery VM (domainName / --name)");
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
                throw ApiException.wrongState("job " + jobId + " is " + job.state() + "; only running jobs can be cancelled",
                        "it has ended already: `ferry jobs " + jobId + "` shows how");
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
