package io.ferry.vault.store;

import java.time.Instant;

/**
 * A machine under replication in a pairing. {@code state} is an orchestrator lifecycle state,
 * changed only by {@link StoreOperations#updateState} which checks and bumps {@code version}
 * (optimistic locking); {@code health} is {@code HEALTHY}, {@code WARNING}, {@code CRITICAL} or
 * {@code UNKNOWN}; {@code replication} is the JSON progress of the current cycle as the agent
 * reports it; {@code testState} the test-failover lifecycle state (NONE when no drill), changed
 * only by {@link StoreOperations#updateTestState} under the same version. {@code direction}: FORWARD
 * replicates into the pairing's repository on its recovery host, REVERSE into
 * {@code <repository>-back} on the machine's own host; {@code activeHostId}/{@code activeDomain}:
 * the domain that is the machine now (null: the machine itself); {@code standbyDomain}: the copy
 * on the other side (what a reprotect seeds from). Set by {@link StoreOperations#updateDirection}.
 */
public record ProtectedMachine(
    String id,
    String machineId,
    String pairingId,
    String state,
    Instant stateChangedAt,
    String health,
    String healthReason,
    String latestPointId,
    Instant latestPointAt,
    String lastError,
    String replication,
    Instant createdAt,
    Instant updatedAt,
    int version,
    String testState,
    String direction,
    String activeHostId,
    String activeDomain,
    String standbyDomain) {
  public static final String FORWARD = "FORWARD";
  public static final String REVERSE = "REVERSE";

  public boolean reversed() {
    return REVERSE.equals(direction);
  }
}
