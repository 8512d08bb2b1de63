package io.ferry.vault.agents;

import io.ferry.orchestrator.jobs.JobType;
import io.ferry.orchestrator.lifecycle.ProtectionState;
import io.ferry.protocol.CleanupAssignment;
import io.ferry.protocol.PowerAssignment;
import io.ferry.protocol.RecoveryVmAssignment;
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

    public Assignments(VaultStore store, Duration gcGrace) {
        this.store = store;
        this.gcGrace = gcGrace;
    }

    public List<SourceAssignment> sources(String hostId) {
        List<SourceAssignment> out = new ArrayList<>();
        for (Machine m : store.machinesByHost(hostId)) {
            Optional<ProtectedMachine> pmo = store.protectedMachineByMachine(m.id());
            if (pmo.isEmpty()) continue;
            ProtectedMachine pm = pmo.get();
            ProtectionState state = ProtectionState.valueOf(pm.state());
            Optional<Job> job = store.activeJobFor(pm.id());
            // a planned failover replicates until its final sync is in: a cycle of the shut-off domain, requested now
            boolean finalSync = job.isPresent() && JobType.PLANNED_FAILOVER.name().equals(job.get().type())
                    && state == ProtectionState.FAILING_OVER;
            if (!REPLICATING.contains(state) && !finalSync) continue;
            if (job.isPresent() && JobType.DISABLE_PROTECTION.name().equals(job.get().type())) continue;
            String syncRequest = finalSync && JobType.Steps.FINAL_SYNC.equals(job.get().step()) ? job.get().id() : null;
            Pairing pairing = store.pairing(pm.pairingId()).orElseThrow();
            Policy policy = store.policy(pairing.policyId()).orElseThrow();
            Optional<Host> recovery = store.host(pairing.recoveryHostId());
            if (recovery.isEmpty() || recovery.get().dataAddress() == null) continue;
            out.add(new SourceAssignment(pm.id(), m.name(), m.uuid(), pairing.repositoryName(), recovery.get().id(),
                    recovery.get().dataAddress(), policy.copyFrequencySeconds(), policy.bandwidthLimitBps(),
                    state == ProtectionState.RESYNCING, compressionLevel(policy), pairing.encryptionKey(), syncRequest));
        }
        return out;
    }

    public List<RepositoryAssignment> repositories(String hostId) {
        List<RepositoryAssignment> out = new ArrayList<>();
        for (Pairing p : store.pairings()) {
            if (!hostId.equals(p.recoveryHostId())) continue;
            Policy policy = store.policy(p.policyId()).orElseThrow();
            List<String> writers = store.hostsBySite(p.primarySiteId()).stream().map(Host::id).toList();
            List<String> delete = new ArrayList<>();
            List<String> purge = new ArrayList<>();
            for (ProtectedMachine pm : store.protectedMachinesByPairing(p.id())) {
                for (RecoveryPoint rp : store.expiringPoints(pm.id())) delete.add(rp.id());
                Optional<Job> job = store.activeJobFor(pm.id());
                if (job.isPresent() && JobType.DISABLE_PROTECTION.name().equals(job.get().type())
                        && JobType.Steps.DELETE_POINTS.equals(job.get().step())) {
                    store.machine(pm.machineId()).ifPresent(m -> purge.add(m.name()));
                }
            }
            out.add(new RepositoryAssignment(p.repositoryName(), writers, compressionLevel(policy), p.encryptionKey(),
                    delete, purge, gcGrace.toSeconds()));
        }
        return out;
    }

    public List<CleanupAssignment> cleanups(String hostId) {
        List<CleanupAssignment> out = new ArrayList<>();
        for (Machine m : store.machinesByHost(hostId)) {
            Optional<ProtectedMachine> pm = store.protectedMachineByMachine(m.id());
            if (pm.isEmpty()) continue;
            Optional<Job> job = store.activeJobFor(pm.get().id());
            if (job.isPresent() && JobType.DISABLE_PROTECTION.name().equals(job.get().type())
                    && JobType.Steps.REMOVE_CHECKPOINTS.equals(job.get().step())) {
                out.add(new CleanupAssignment(cleanupId(job.get()), "CHECKPOINTS", m.name()));
            }
        }
        return out;
    }

    /** Shutdowns of this host's domains that a failover job is waiting for (or, in final-sync, still relies on). */
    public List<PowerAssignment> power(String hostId) {
        List<PowerAssignment> out = new ArrayList<>();
        for (Machine m : store.machinesByHost(hostId)) {
            Optional<ProtectedMachine> pm = store.protectedMachineByMachine(m.id());
            if (pm.isEmpty()) continue;
            Optional<Job> job = store.activeJobFor(pm.get().id());
            if (job.isEmpty()) continue;
            String type = job.get().type();
            String step = job.get().step();
            boolean planned = JobType.PLANNED_FAILOVER.name().equals(type)
                    && (JobType.Steps.SHUTDOWN_SOURCE.equals(step) || JobType.Steps.FINAL_SYNC.equals(step));
            boolean unplanned = JobType.UNPLANNED_FAILOVER.name().equals(type) && JobType.Steps.SHUTDOWN_SOURCE.equals(step);
            if (planned || unplanned) {
                out.add(new PowerAssignment(powerId(job.get()), m.name(), shutdownTimeout(job.get())));
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
            out.add(new RecoveryVmAssignment(vm.id(), vm.kind(), vm.desired(), pairing.repositoryName(), machine, vm.pointId(),
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

    private static final tools.jackson.databind.json.JsonMapper JSON = tools.jackson.databind.json.JsonMapper.builder().build();

    public static String cleanupId(Job job) {
        return job.id() + "-checkpoints";
    }

    static int compressionLevel(Policy p) {
        return "none".equals(p.compression()) ? 0 : p.compressionLevel();
    }
}
