package io.ferry.vault.store;

import java.time.Instant;

/**
 * A VM the vault wants a recovery agent to run from a recovery point (docs/operations.md,
 * "Failover and test failover"). {@code kind} is TEST or FAILOVER; {@code desired} RUNNING,
 * REMOVED or RELEASED; {@code network} the network every NIC joins (null: the pairing's mapping).
 * On create, a null {@code id} is generated and null times are now.
 */
public record RecoveryVm(
    String id,
    String protectedMachineId,
    String kind,
    String hostId,
    String pointId,
    String domainName,
    String desired,
    String network,
    boolean createNetwork,
    boolean keepMac,
    Instant createdAt,
    Instant updatedAt) {
  public static final String TEST = "TEST";
  public static final String FAILOVER = "FAILOVER";
  public static final String RUNNING = "RUNNING";
  public static final String REMOVED = "REMOVED";
  public static final String RELEASED = "RELEASED";

  public RecoveryVm withDesired(String d) {
    return new RecoveryVm(id, protectedMachineId, kind, hostId, pointId, domainName, d, network, createNetwork, keepMac,
        createdAt, updatedAt);
  }

  public RecoveryVm withPoint(String p) {
    return new RecoveryVm(id, protectedMachineId, kind, hostId, p, domainName, desired, network, createNetwork, keepMac,
        createdAt, updatedAt);
  }
}
