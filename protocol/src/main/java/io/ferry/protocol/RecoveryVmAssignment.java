package io.ferry.protocol;

import java.util.Map;

/**
 * A recovery VM this (recovery) agent should run, remove or release (docs/operations.md,
 * "Failover and test failover").
 *
 * @param id stable id of the recovery VM (the vault's row)
 * @param kind TEST (a drill: new MAC, isolated network, disposable) or FAILOVER (MAC kept, mapped networks)
 * @param desired RUNNING, REMOVED or RELEASED (made independent of the repository, then forgotten: the VM stays)
 * @param repository the repository on this agent that holds the point
 * @param machine the machine's name in the repository (the source domain name)
 * @param pointId the recovery point to boot from
 * @param domain the name of the domain to define
 * @param networkMapping source network → network on this host (unmapped networks keep their name)
 * @param network when non-null, every NIC joins this network instead (test failover)
 * @param createNetwork create {@code network} as an isolated network, and remove it with the VM
 * @param keepMac keep the source's MAC addresses (failover) or let libvirt make new ones (test)
 */
public record RecoveryVmAssignment(String id, String kind, String desired, String repository, String machine,
                                   String pointId, String domain, Map<String, String> networkMapping, String network,
                                   boolean createNetwork, boolean keepMac) {
    public static final String TEST = "TEST";
    public static final String FAILOVER = "FAILOVER";
    public static final String RUNNING = "RUNNING";
    public static final String REMOVED = "REMOVED";
    public static final String RELEASED = "RELEASED";

    public RecoveryVmAssignment {
        networkMapping = networkMapping == null ? Map.of() : Map.copyOf(networkMapping);
    }
}
