package io.ferry.protocol;

/**
 * Shut a domain of this (source) host down cleanly: ACPI power button, then wait.
 *
 * @param id stable id (the vault re-sends it until it no longer needs it)
 * @param domain the libvirt domain
 * @param timeoutSeconds how long the guest has to power off; after that the agent reports TIMED_OUT and leaves it running
 */
public record PowerAssignment(String id, String domain, int timeoutSeconds) {}
