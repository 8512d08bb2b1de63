package io.ferry.vault.agents;

import io.ferry.orchestrator.jobs.JobType;
import io.ferry.orchestrator.lifecycle.ProtectionState;
import io.ferry.protocol.CleanupAssignment;
import io.ferry.protocol.PowerAssignment;
import io.ferry.protocol.RecoveryVmAssignment;
import io.ferry.protocol.RestoreAssignment;
import io.ferry.protocol.PowerReport;
import io.ferry.protocol.RestoreReport;
import io.ferry.protocol.SeedAssignment;
import io.ferry.vault.store.RecoveryVm;
import java.util.Map;
import io.ferry.protocol.RepositoryAssignment;
import io.ferry.protocol.SourceAssignment;
import io.ferry.vault.store.Host;
import io.ferry.vault.store.Job;
import io.ferry.vault.store.Machine;
import io.ferry.vault.store.Pairing;
import io.ferry.vault.store.Policy;
import io.ferry.vault.store.ProtectedMachine;
import io.ferry.vault.store.RecoveryPoint;
import io.ferry.vault.store.VaultStore;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What each agent should be doing, derived from the database on every heartbeat:
 * <ul>
 *   <li>a source assignment for every machine of the host in a replicating state, unless a
 *       disable job is stopping it; {@code allowResync} only in RESYNCING;</li>
 *   <li>a repository assignment for every pairing whose recovery host it is, with the points
 *       retention has expired and the machines whose points a disable job deletes;</li>
 *   <li>a checkpoint cleanup while a disable job is at its remove-checkpoints step.</li>
 * </ul>
 */
public final class Assignments {
    /** States in which the source agent replicates. */
    public static final Set<ProtectionState> REPLICATING = EnumSet.of(ProtectionState.INITIAL_REPLICATION,
            ProtectionState.PROTECTED, ProtectionState.RESYNC_REQUIRED, ProtectionState.RESYNCING);

    private final VaultStore store;
    private final Duration gcGrace;
    private final AgentReports reports;

    /** {@code reports}: a failback starts the machine only once its disks are written and the other copy is still off. */
    public Assignments(VaultStore store, Duration gcGrace, AgentReports reports) {
        this.store = store;
        this.gcGrace = gcGrace;
        this.reports = reports;
    }

    public List<SourceAssignment> sources(String hostId) {
        List<SourceAssignment> out = new ArrayList<>();
        for (ProtectedMachine pm : store.protectedMachines()) {
            Machine m = store.machine(pm.machineId()).orElse(null);
            if (m == null) continue;
            Pairing pairing = store.pairing(pm.pairingId()).orElseThrow();
            ReplicationRoute route = ReplicationRoute.of(pm, m, pairing);
            if (!hostId.equals(route.sourceHostId())) continue;
            ProtectionState state = ProtectionState.valueOf(pm.state());
            Optional<Job> job = store.activeJobFor(pm.id());
            String type = job.map(Job::type).orElse("");
            String step = job.map(Job::step).orElse("");
            // a planned failover (or failback) replicates until its final sync is in: a cycle of the shut-off domain
            boolean finalSync = (JobType.PLANNED_FAILOVER.name().equals(type) || JobType.FAILBACK.name().equals(type))
                    && state == ProtectionState.FAILING_OVER
                    && (JobType.Steps.SHUTDOWN_SOURCE.equals(step) || JobType.Steps.FINAL_SYNC.equals(step));
            // a reprotect replicates once the seed is in; digests decide what the first cycle sends
            boolean reprotect = state == ProtectionState.REPROTECTING && JobType.REPROTECT.name().equals(type)
                    && JobType.Steps.INITIAL_REPLICATION.equals(step);
            if (!REPLICATING.contains(state) && !finalSync && !reprotect) continue;
            if (JobType.DISABLE_PROTECTION.name().equals(type)) continue;
            String syncRequest = finalSync && JobType.Steps.FINAL_SYNC.equals(step) ? job.get().id() : null;
            Policy policy = store.policy(pairing.policyId()).orElseThrow();
            Optional<Host> target = store.host(route.targetHostId());
            if (target.isEmpty() || target.get().dataAddress() == null) continue;
            out.add(new SourceAssignment(pm.id(), route.sourceDomain(), route.sourceUuid(), route.repository(), target.get().id(),
                    target.get().dataAddress(), policy.copyFrequencySeconds(), policy.bandwidthLimitBps(),
                    state == ProtectionState.RESYNCING || reprotect, compressionLevel(policy), pairing.encryptionKey(), syncRequest));
        }
        return out;
    }

    public List<RepositoryAssignment> repositories(String hostId) {
        List<RepositoryAssignment> out = new ArrayList<>();
        for (Pairing p : store.pairings()) {
            Policy policy = store.policy(p.policyId()).orElseThrow();
            String reverse = ReplicationRoute.reverseRepository(p);
            boolean forwardHere = hostId.equals(p.recoveryHostId());
            boolean reverseHere = false;
            List<String> forwardDelete = new ArrayList<>();
            List<String> reverseDelete = new ArrayList<>();
            List<String> purge = new ArrayList<>();
            List<String> readers = new ArrayList<>();
            for (ProtectedMachine pm : store.protectedMachinesByPairing(p.id())) {
                Machine m = store.machine(pm.machineId()).orElse(null);
                boolean mine = m != null && hostId.equals(m.hostId());
                // the reverse repository stays while the machine replicates back or has points in it
                if (mine && (pm.reversed() || store.points(pm.id()).stream().anyMatch(x -> reverse.equals(x.repository())))) {
                    reverseHere = true;
                }
                for (RecoveryPoint rp : store.expiringPoints(pm.id())) {
                    (reverse.equals(rp.repository()) ? reverseDelete : forwardDelete).add(rp.id());
                }
                Optional<Job> job = store.activeJobFor(pm.id());
                if (mine && job.isPresent() && JobType.FAILBACK.name().equals(job.get().type())) {
                    FailbackTarget t = FailbackTarget.of(job.get(), m);
                    if (!t.hostId().equals(m.hostId())) readers.add(t.hostId());
                }
                if (job.isPresent() && JobType.DISABLE_PROTECTION.name().equals(job.get().type())
                        && JobType.Steps.DELETE_POINTS.equals(job.get().step()) && m != null) {
                    purge.add(m.name());
                }
            }
            if (forwardHere) {
                List<String> writers = new ArrayList<>(store.hostsBySite(p.primarySiteId()).stream().map(Host::id).toList());
                // (a seed after a failback is written locally by this host's agent, not over the data channel)
                out.add(new RepositoryAssignment(p.repositoryName(), writers, compressionLevel(policy), p.encryptionKey(),
                        forwardDelete, purge, gcGrace.toSeconds(), List.of()));
            }
            if (reverseHere) {
                List<String> writers = store.hostsBySite(p.recoverySiteId()).stream().map(Host::id).toList();
                // a failback to another host of the primary site reads it from there, and only reads
                out.add(new RepositoryAssignment(reverse, writers, compressionLevel(policy), p.encryptionKey(), reverseDelete,
                        List.of(), gcGrace.toSeconds(), readers));
            }
        }
        return out;
    }

    /** Local captures a reprotect job waits for: the standby copy seeds the repository the other side will write. */
    public List<SeedAssignment> seeds(String hostId) {
        List<SeedAssignment> out = new ArrayList<>();
        for (ProtectedMachine pm : store.protectedMachines()) {
            Optional<Job> job = store.activeJobFor(pm.id());
            if (job.isEmpty() || !JobType.REPROTECT.name().equals(job.get().type())
                    || !JobType.Steps.SEED.equals(job.get().step()) || pm.standbyDomain() == null) continue;
            Machine m = store.machine(pm.machineId()).orElse(null);
            if (m == null) continue;
            ReplicationRoute route = ReplicationRoute.of(pm, m, store.pairing(pm.pairingId()).orElseThrow());
            if (hostId.equals(route.targetHostId())) out.add(new SeedAssignment(seedId(job.get()), pm.standbyDomain(), route.repository()));
        }
        return out;
    }

    /**
     * Points a failback writes into the machine's disks (phase 1 while the recovery VM runs, phase 2
     * after): in place on the machine's own host from the reverse repository there, or on the
     * failback's alternate host, which reads that repository over the data channel and creates the
     * domain if it does not exist.
     */
    public List<RestoreAssignment> restores(String hostId) {
        List<RestoreAssignment> out = new ArrayList<>();
        for (ProtectedMachine pm : store.protectedMachines()) {
            if (pm.latestPointId() == null) continue;
            Optional<Job> job = store.activeJobFor(pm.id());
            if (job.isEmpty() || !JobType.FAILBACK.name().equals(job.get().type())) continue;
            Machine m = store.machine(pm.machineId()).orElse(null);
            if (m == null) continue;
            FailbackTarget t = FailbackTarget.of(job.get(), m);
            if (!hostId.equals(t.hostId())) continue;
            String step = job.get().step();
            boolean phase1 = JobType.Steps.PRE_SYNC.equals(step);
            if (!phase1 && !JobType.Steps.RESTORE.equals(step)) continue;
            String mode = phase1 || !t.full() ? RestoreAssignment.DELTA : RestoreAssignment.FULL;
            Pairing p = store.pairing(pm.pairingId()).orElseThrow();
            String repo = ReplicationRoute.reverseRepository(p);
            String id = restoreId(job.get(), step);
            // phase 2 starts the machine once its disks are written and the recovery-site copy is confirmed still off
            boolean start = !phase1 && reports.restore(hostId, id).map(RestoreReport::done).orElse(false)
                    && reports.power(ReplicationRoute.of(pm, m, p).sourceHostId(), powerId(job.get()))
                    .map(r -> PowerReport.SHUT_OFF.equals(r.state())).orElse(false);
            if (t.inPlace(m)) {
                out.add(RestoreAssignment.inPlace(id, repo, pm.latestPointId(), t.domain(), mode, start));
                continue;
            }
            if (t.hostId().equals(m.hostId())) { // another domain on the machine's own host: the repository is local
                out.add(new RestoreAssignment(id, repo, pm.latestPointId(), t.domain(), mode, start, true, null, null, null,
                        inverse(networkMapping(p))));
                continue;
            }
            Host keeper = store.host(m.hostId()).orElse(null);
            if (keeper == null || keeper.dataAddress() == null) continue; // the job says why it waits
            out.add(new RestoreAssignment(id, repo, pm.latestPointId(), t.domain(), mode, start, true, keeper.id(),
                    keeper.dataAddress(), p.encryptionKey(), inverse(networkMapping(p))));
        }
        return out;
    }

    public static String seedId(Job job) {
        return job.id() + "-seed";
    }

    /**
     * One restore per job step: the agent writes the point the assignment names when it first sees
     * it and keeps its report under this id (a newer point arriving meanwhile does not start
     * another: every point after the final sync holds the same data; phase 1 is best effort).
     */
    public static String restoreId(Job job, String step) {
        return job.id() + "-" + step;
    }

    public List<CleanupAssignment> cleanups(String hostId) {
        List<CleanupAssignment> out = new ArrayList<>();
        for (ProtectedMachine pm : store.protectedMachines()) {
            Optional<Job> job = store.activeJobFor(pm.id());
            if (job.isEmpty() || !JobType.DISABLE_PROTECTION.name().equals(job.get().type())
                    || !JobType.Steps.REMOVE_CHECKPOINTS.equals(job.get().step())) continue;
            Machine m = store.machine(pm.machineId()).orElse(null);
            if (m == null) continue;
            for (CheckpointHolder h : checkpointHolders(pm, m, store.pairing(pm.pairingId()).orElseThrow(), job.get())) {
                if (h.hostId().equals(hostId)) out.add(new CleanupAssignment(h.cleanupId(), "CHECKPOINTS", h.domain()));
            }
        }
        return out;
    }

    /** A domain that may hold Ferry's checkpoints of a machine, and the id of the cleanup that removes them. */
    public record CheckpointHolder(String hostId, String domain, String cleanupId) {}

    /**
     * Every domain a machine was replicated from: the machine itself, the domain that is it now
     * (a recovery VM replicating back, or a domain a failback made on another host) and the
     * standby copy on the other side. Unprotecting removes Ferry's checkpoints from each.
     */
    public static List<CheckpointHolder> checkpointHolders(ProtectedMachine pm, Machine m, Pairing p, Job disable) {
        List<CheckpointHolder> out = new ArrayList<>();
        out.add(new CheckpointHolder(m.hostId(), m.name(), cleanupId(disable)));
        if (pm.activeDomain() != null && pm.activeHostId() != null
                && !(pm.activeHostId().equals(m.hostId()) && pm.activeDomain().equals(m.name()))) {
            out.add(new CheckpointHolder(pm.activeHostId(), pm.activeDomain(), cleanupId(disable) + "-active"));
        }
        // the standby is on the other side of the active domain: the recovery-site copy while the machine
        // runs at the primary site, the machine's own domain while it runs at the recovery site
        boolean activeAway = pm.activeHostId() != null && pm.activeHostId().equals(p.recoveryHostId());
        if (pm.standbyDomain() != null && !activeAway) {
            out.add(new CheckpointHolder(p.recoveryHostId(), pm.standbyDomain(), cleanupId(disable) + "-standby"));
        }
        return out;
    }

    /** Shutdowns of this host's domains that a failover job is waiting for (or, in final-sync, still relies on). */
    public List<PowerAssignment> power(String hostId) {
        List<PowerAssignment> out = new ArrayList<>();
        for (ProtectedMachine pm : store.protectedMachines()) {
            Optional<Job> job = store.activeJobFor(pm.id());
            if (job.isEmpty()) continue;
            String type = job.get().type();
            String step = job.get().step();
            // kept while the job relies on the shutdown (the agent reports RESTARTED if the domain runs again),
            // up to the start of a planned failover's recovery VM
            boolean planned = (JobType.PLANNED_FAILOVER.name().equals(type) || JobType.FAILBACK.name().equals(type))
                    && (JobType.Steps.SHUTDOWN_SOURCE.equals(step) || JobType.Steps.FINAL_SYNC.equals(step)
                    || JobType.PLANNED_FAILOVER.name().equals(type) && JobType.Steps.START_VM.equals(step)
                    || JobType.FAILBACK.name().equals(type) && JobType.Steps.RESTORE.equals(step));
            boolean unplanned = JobType.UNPLANNED_FAILOVER.name().equals(type) && JobType.Steps.SHUTDOWN_SOURCE.equals(step);
            if (!planned && !unplanned) continue;
            Machine m = store.machine(pm.machineId()).orElse(null);
            if (m == null) continue;
            ReplicationRoute route = ReplicationRoute.of(pm, m, store.pairing(pm.pairingId()).orElseThrow());
            if (hostId.equals(route.sourceHostId())) {
                out.add(new PowerAssignment(powerId(job.get()), route.sourceDomain(), shutdownTimeout(job.get())));
            }
        }
        return out;
    }

    /** Every recovery VM the vault wants this host to run, remove or release. */
    public List<RecoveryVmAssignment> recoveryVms(String hostId) {
        List<RecoveryVmAssignment> out = new ArrayList<>();
        for (RecoveryVm vm : store.recoveryVmsByHost(hostId)) {
            Optional<ProtectedMachine> pm = store.protectedMachine(vm.protectedMachineId());
            if (pm.isEmpty()) continue;
            Pairing pairing = store.pairing(pm.get().pairingId()).orElseThrow();
            String machine = store.machine(pm.get().machineId()).map(Machine::name).orElse(null);
            if (machine == null) continue;
            // the repository the VM's point is in: the pairing's, or the reverse one for a drill at home
            String repository = store.point(vm.pointId()).map(RecoveryPoint::repository).orElse(null);
            out.add(new RecoveryVmAssignment(vm.id(), vm.kind(), vm.desired(), repository == null ? pairing.repositoryName() : repository,
                    machine, vm.pointId(),
                    vm.domainName(), networkMapping(pairing), vm.network(), vm.createNetwork(), vm.keepMac()));
        }
        return out;
    }

    public static String powerId(Job job) {
        return job.id() + "-shutdown";
    }

    static int shutdownTimeout(Job job) {
        return JSON.readTree(job.params()).path("shutdownTimeoutSeconds").asInt(DEFAULT_SHUTDOWN_TIMEOUT_SECONDS);
    }

    public static final int DEFAULT_SHUTDOWN_TIMEOUT_SECONDS = 120;

    private Map<String, String> networkMapping(Pairing p) {
        if (p.networkMapping() == null || p.networkMapping().isBlank()) return Map.of();
        return JSON.readValue(p.networkMapping(), new tools.jackson.core.type.TypeReference<Map<String, String>>() {});
    }

    /**
     * The way back: a reverse point's configuration is the recovery VM's, on recovery-site networks;
     * a domain created at the primary site maps them back to the primary networks they came from.
     */
    static Map<String, String> inverse(Map<String, String> mapping) {
        Map<String, String> back = new java.util.LinkedHashMap<>();
        mapping.forEach((primary, recovery) -> back.putIfAbsent(recovery, primary));
        return back;
    }

    private static final tools.jackson.databind.json.JsonMapper JSON = tools.jackson.databind.json.JsonMapper.builder().build();

    public static String cleanupId(Job job) {
        return job.id() + "-checkpoints";
    }

    static int compressionLevel(Policy p) {
        return "none".equals(p.compression()) ? 0 : p.compressionLevel();
    }
}
