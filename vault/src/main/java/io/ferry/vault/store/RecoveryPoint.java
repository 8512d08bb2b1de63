package io.ferry.vault.store;

import java.time.Instant;

/**
 * The vault's record of a recovery point kept in a repository; {@code id} is the repository's
 * point id. {@code state} is {@value #AVAILABLE}, {@value #EXPIRING} (retention let go of it, its
 * deletion is under way) or {@value #DELETED}; {@code disks} is JSON text; {@code repository} the
 * repository it is in (null: the pairing's forward repository).
 */
public record RecoveryPoint(
    String id,
    String protectedMachineId,
    Instant createdAt,
    String consistency,
    String mode,
    String parentId,
    long bytesRead,
    long bytesStored,
    String disks,
    String state,
    Instant deletedAt,
    String repository) {

  public static final String AVAILABLE = "AVAILABLE";
  public static final String EXPIRING = "EXPIRING";
  public static final String DELETED = "DELETED";

  public RecoveryPoint withState(String newState) {
    return new RecoveryPoint(id, protectedMachineId, createdAt, consistency, mode, parentId, bytesRead, bytesStored, disks, newState, deletedAt, repository);
  }
}
