package io.ferry.vault.agents;

import io.ferry.protocol.CleanupReport;
import io.ferry.protocol.Heartbeat;
import io.ferry.protocol.ReplicationReport;
import io.ferry.protocol.RepositoryReport;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The latest heartbeat of every agent, in memory. After a vault restart it is empty until each
 * agent's next heartbeat, a few seconds; job steps that read it simply wait.
 */
public final class AgentReports {
    public record Received(Heartbeat heartbeat, Instant at) {}

    private final Map<String, Received> latest = new ConcurrentHashMap<>();

    void put(String hostId, Heartbeat hb, Instant at) {
        latest.put(hostId, new Received(hb, at));
    }

    public Optional<Received> of(String hostId) {
        return Optional.ofNullable(latest.get(hostId));
    }

    /** The replication report of a protected machine from its source agent, if received after {@code since}. */
    public Optional<ReplicationReport> replication(String hostId, String protectedMachineId) {
        return of(hostId).flatMap(r -> r.heartbeat().replications().stream()
                .filter(x -> x.protectedMachineId().equals(protectedMachineId)).findFirst());
    }

    public Optional<RepositoryReport> repository(String hostId, String name) {
        return of(hostId).flatMap(r -> r.heartbeat().repositories().stream()
                .filter(x -> x.name().equals(name)).findFirst());
    }

    public Optional<CleanupReport> cleanup(String hostId, String id) {
        return of(hostId).flatMap(r -> r.heartbeat().cleanups().stream().filter(x -> x.id().equals(id)).findFirst());
    }

    public Optional<io.ferry.protocol.RecoveryVmReport> recoveryVm(String hostId, String id) {
        return of(hostId).flatMap(r -> r.heartbeat().recoveryVms().stream().filter(x -> x.id().equals(id)).findFirst());
    }

    public Optional<io.ferry.protocol.PowerReport> power(String hostId, String id) {
        return of(hostId).flatMap(r -> r.heartbeat().power().stream().filter(x -> x.id().equals(id)).findFirst());
    }

    public Optional<io.ferry.protocol.SeedReport> seed(String hostId, String id) {
        return of(hostId).flatMap(r -> r.heartbeat().seeds().stream().filter(x -> x.id().equals(id)).findFirst());
    }

    public Optional<io.ferry.protocol.RestoreReport> restore(String hostId, String id) {
        return of(hostId).flatMap(r -> r.heartbeat().restores().stream().filter(x -> x.id().equals(id)).findFirst());
    }
}
