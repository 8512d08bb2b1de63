package io.ferry.vault.store;

import java.time.Instant;

/**
 * A libvirt domain known on a host, unique by ({@code hostId}, {@code uuid}). {@code disks} and
 * {@code networks} are JSON text as last reported; a domain no longer reported keeps its row with
 * {@code powerState} {@value #MISSING}.
 */
public record Machine(
    String id,
    String hostId,
    String uuid,
    String name,
    String powerState,
    String disks,
    String networks,
    Instant discoveredAt,
    Instant lastSeenAt) {

  /** Power state of a machine its host no longer reports. */
  public static final String MISSING = "MISSING";
}
