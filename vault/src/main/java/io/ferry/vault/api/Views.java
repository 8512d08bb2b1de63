package io.ferry.vault.api;

import io.ferry.vault.store.Host;
import io.ferry.vault.store.Job;
import io.ferry.vault.store.JobError;
import io.ferry.vault.store.JobProgress;
import io.ferry.vault.store.JobStep;
import io.ferry.vault.store.Machine;
import io.ferry.vault.store.Pairing;
import io.ferry.vault.store.Policy;
import io.ferry.vault.store.ProtectedMachine;
import io.ferry.vault.store.RecoveryPoint;
import io.ferry.vault.store.User;
import io.ferry.vault.store.VaultStore;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** The JSON shapes of openapi.yaml, built from the store's rows. */
final class Views {
    record Page<T>(List<T> items, String next) {}

    record UserView(String id, String name, String role, Instant createdAt, boolean disabled) {
        static UserView of(User u) {
            return new UserView(u.id(), u.name(), u.role(), u.createdAt(), u.disabled());
        }
    }

    record HostView(String id, String siteId, String name, String dataAddress, String status, Instant lastHeartbeatAt,
                    String agentVersion, Instant registeredAt) {}

    record DiskView(String target, String path, String format, long capacityBytes) {}

    record NicView(String network, String mac) {}

    record ProtectionRef(String protectedMachineId, String state, String health, Double rpoSeconds) {}

    record MachineView(String id, String hostId, String siteId, String name, String uuid, String powerState,
                       List<DiskView> disks, List<NicView> networks, ProtectionRef protection) {}

    record PolicyView(String id, String name, int copyFrequencySeconds, int retentionSeconds,
                      int appConsistentFrequencySeconds, String compression, int compressionLevel, boolean encryption,
                      long bandwidthLimitBytesPerSecond, int rpoThresholdSeconds, Instant createdAt, Instant updatedAt) {
        static PolicyView of(Policy p) {
            return new PolicyView(p.id(), p.name(), p.copyFrequencySeconds(), p.retentionSeconds(),
                    p.appConsistentFrequencySeconds(), p.compression(), p.compressionLevel(), p.encryption(),
                    p.bandwidthLimitBps(), p.rpoThresholdSeconds(), p.createdAt(), p.updatedAt());
        }
    }

    record PairingView(String id, String name, String primarySiteId, String recoverySiteId, String policyId,
                       String recoveryHostId, String repositoryName, Map<String, String> networkMapping,
                       boolean encrypted, Instant createdAt) {}

    record ReplicationView(String phase, String mode, long bytesDone, long bytesTotal, double percent, Long etaSeconds,
                           Instant lastCycleAt, Double lastCycleSeconds) {}

    record ProtectedMachineView(String id, String machineId, String machineName, String hostId, String pairingId,
                                String state, String testFailover, String direction, String activeDomain,
                                String health, String healthReason,
                                Double rpoSeconds, String latestPointId, Instant latestPointAt, String lastError,
                                ReplicationView replication, Instant createdAt) {}

    /** A recovery VM and what its agent last said about it. */
    record RecoveryVmView(String id, String kind, String hostId, String pointId, String domainName, String desired,
                          String phase, boolean independent, String network, String error) {}

    record PointView(String id, String protectedMachineId, Instant createdAt, String consistency, String mode,
                     String parentId, long bytesRead, long bytesStored, String state) {
        static PointView of(RecoveryPoint p) {
            return new PointView(p.id(), p.protectedMachineId(), p.createdAt(), p.consistency(), p.mode(), p.parentId(),
                    p.bytesRead(), p.bytesStored(), p.state());
        }
    }

    record JobView(String id, String type, String targetId, String targetName, String state, String step,
                   List<JobStep> steps, JobProgress progress, JobError error, String requestedBy, Instant createdAt,
                   Instant startedAt, Instant endedAt, boolean cancellable) {}

    private final VaultStore store;
    private final JsonMapper json;
    private final Duration silentAfter;

    private final io.ferry.vault.agents.AgentReports reports;

    Views(VaultStore store, JsonMapper json, Duration silentAfter, io.ferry.vault.agents.AgentReports reports) {
        this.reports = reports;
        this.store = store;
        this.json = json;
        this.silentAfter = silentAfter;
    }

    RecoveryVmView recoveryVm(io.ferry.vault.store.RecoveryVm vm) {
        var r = reports == null ? java.util.Optional.<io.ferry.protocol.RecoveryVmReport>empty() : reports.recoveryVm(vm.hostId(), vm.id());
        return new RecoveryVmView(vm.id(), vm.kind(), vm.hostId(), vm.pointId(), vm.domainName(), vm.desired(),
                r.map(io.ferry.protocol.RecoveryVmReport::phase).orElse(null),
                r.map(io.ferry.protocol.RecoveryVmReport::independent).orElse(false), vm.network(),
                r.map(x -> x.error() == null ? null : x.error().message()).orElse(null));
    }

    HostView host(Host h) {
        String status = h.lastHeartbeatAt() == null ? "NEVER_SEEN"
                : h.lastHeartbeatAt().isBefore(Instant.now().minus(silentAfter)) ? "SILENT" : "ONLINE";
        return new HostView(h.id(), h.siteId(), h.name(), h.dataAddress(), status, h.lastHeartbeatAt(), h.agentVersion(),
                h.registeredAt());
    }

    MachineView machine(Machine m) {
        String siteId = store.host(m.hostId()).map(Host::siteId).orElse(null);
        List<DiskView> disks = m.disks() == null ? List.of() : json.readValue(m.disks(), new TypeReference<List<DiskView>>() {});
        List<NicView> nics = m.networks() == null ? List.of() : json.readValue(m.networks(), new TypeReference<List<NicView>>() {});
        ProtectionRef ref = store.protectedMachineByMachine(m.id())
                .map(pm -> new ProtectionRef(pm.id(), pm.state(), pm.health(), rpo(pm))).orElse(null);
        return new MachineView(m.id(), m.hostId(), siteId, m.name(), m.uuid(), m.powerState(), disks, nics, ref);
    }

    PairingView pairing(Pairing p) {
        Map<String, String> mapping = p.networkMapping() == null ? Map.of()
                : json.readValue(p.networkMapping(), new TypeReference<Map<String, String>>() {});
        return new PairingView(p.id(), p.name(), p.primarySiteId(), p.recoverySiteId(), p.policyId(), p.recoveryHostId(),
                p.repositoryName(), mapping, p.encryptionKey() != null, p.createdAt());
    }

    ProtectedMachineView protectedMachine(ProtectedMachine pm) {
        Machine m = store.machine(pm.machineId()).orElse(null);
        ReplicationView rv = null;
        if (pm.replication() != null) {
            JsonNode r = json.readTree(pm.replication());
            JsonNode eta = r.path("etaSeconds");
            String last = r.path("lastCycleAt").isString() ? r.path("lastCycleAt").asString() : null;
            rv = new ReplicationView(r.path("phase").asString(null), r.path("mode").asString(null), r.path("bytesDone").asLong(),
                    r.path("bytesTotal").asLong(), r.path("percent").asDouble(), eta.isNumber() ? eta.asLong() : null,
                    last == null ? null : Instant.parse(last), r.path("lastCycleSeconds").asDouble());
        }
        return new ProtectedMachineView(pm.id(), pm.machineId(), m == null ? null : m.name(), m == null ? null : m.hostId(),
                pm.pairingId(), pm.state(), pm.testState(), pm.direction(), pm.activeDomain(), pm.health(), pm.healthReason(), rpo(pm), pm.latestPointId(),
                pm.latestPointAt(), pm.lastError(), rv, pm.createdAt());
    }

    static Double rpo(ProtectedMachine pm) {
        if (pm.latestPointAt() == null) return null;
        return Math.max(0, Duration.between(pm.latestPointAt(), Instant.now()).toMillis() / 1000.0);
    }

    JobView job(Job j, boolean cancellable) {
        String targetName = j.targetId() == null ? null : store.protectedMachine(j.targetId())
                .flatMap(pm -> store.machine(pm.machineId())).map(Machine::name)
                .orElseGet(() -> j.params() == null ? null : json.readTree(j.params()).path("machineName").asString(null));
        return new JobView(j.id(), j.type(), j.targetId(), targetName, j.state(), j.step(), j.steps(), j.progress(), j.error(),
                j.requestedBy(), j.createdAt(), j.startedAt(), j.endedAt(), cancellable);
    }
}
