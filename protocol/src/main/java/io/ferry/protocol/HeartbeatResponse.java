package io.ferry.protocol;

import java.util.List;

/**
 * The work the vault wants an agent to do: the complete desired state, not a delta. An assignment
 * missing from the list is to be stopped.
 *
 * @param heartbeatSeconds when to call again
 * @param acknowledgedPoints point ids the vault has recorded: stop reporting them
 * @param recoveryVms recovery VMs this agent should run, remove or release
 * @param power domains of this host to shut down
 * @param seeds local captures that seed a repository (reprotect)
 * @param restores points to write into local domains' disks (failback)
 */
public record HeartbeatResponse(int heartbeatSeconds, List<SourceAssignment> sources,
                                List<RepositoryAssignment> repositories, List<CleanupAssignment> cleanups,
                                List<String> acknowledgedPoints,
                                List<RecoveryVmAssignment> recoveryVms, List<PowerAssignment> power,
                                List<SeedAssignment> seeds, List<RestoreAssignment> restores) {
    public HeartbeatResponse {
        sources = sources == null ? List.of() : List.copyOf(sources);
        repositories = repositories == null ? List.of() : List.copyOf(repositories);
        cleanups = cleanups == null ? List.of() : List.copyOf(cleanups);
        acknowledgedPoints = acknowledgedPoints == null ? List.of() : List.copyOf(acknowledgedPoints);
        recoveryVms = recoveryVms == null ? List.of() : List.copyOf(recoveryVms);
        power = power == null ? List.of() : List.copyOf(power);
        seeds = seeds == null ? List.of() : List.copyOf(seeds);
        restores = restores == null ? List.of() : List.copyOf(restores);
    }
}
