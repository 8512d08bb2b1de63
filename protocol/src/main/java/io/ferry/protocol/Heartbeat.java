package io.ferry.protocol;

import java.time.Instant;
import java.util.List;

/**
 * What an agent tells the vault every few seconds.
 *
 * @param dataAddress host:port of this agent's replication data port (null if it serves none)
 * @param inventory the VMs, disks and networks of this host
 * @param replications one report per source assignment this agent runs
 * @param repositories one report per repository this agent keeps
 * @param cleanups the outcome of cleanup assignments
 * @param recoveryVms one report per recovery VM this agent runs or ran
 * @param power the outcome of power assignments
 * @param seeds the outcome of seed assignments
 * @param restores the outcome of restore assignments
 */
public record Heartbeat(String agentVersion, String hostname, String dataAddress, Instant sentAt,
                        Inventory inventory, List<ReplicationReport> replications,
                        List<RepositoryReport> repositories, List<CleanupReport> cleanups,
                        List<RecoveryVmReport> recoveryVms, List<PowerReport> power, List<SeedReport> seeds,
                        List<RestoreReport> restores) {
    public Heartbeat {
        replications = replications == null ? List.of() : List.copyOf(replications);
        repositories = repositories == null ? List.of() : List.copyOf(repositories);
        cleanups = cleanups == null ? List.of() : List.copyOf(cleanups);
        recoveryVms = recoveryVms == null ? List.of() : List.copyOf(recoveryVms);
        power = power == null ? List.of() : List.copyOf(power);
        seeds = seeds == null ? List.of() : List.copyOf(seeds);
        restores = restores == null ? List.of() : List.copyOf(restores);
    }
}
