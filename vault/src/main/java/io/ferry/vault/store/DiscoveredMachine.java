package io.ferry.vault.store;

/** A libvirt domain as an agent reports it; {@code disks} and {@code networks} are JSON text. */
public record DiscoveredMachine(String uuid, String name, String powerState, String disks, String networks) {}
