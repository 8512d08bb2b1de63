package io.ferry.protocol;

/**
 * One-off cleanup when protection is disabled.
 *
 * @param id stable id of this cleanup (the vault re-sends it until reported done)
 * @param kind CHECKPOINTS: delete Ferry's checkpoints of {@code domain} on this (source) host
 * @param domain the libvirt domain
 */
public record CleanupAssignment(String id, String kind, String domain) {}
