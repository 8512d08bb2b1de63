package io.ferry.protocol;

/**
 * Capture a domain of this host into a repository this agent keeps, locally (no network): the
 * seed of a reverse (or renewed) replication, so that the other side then sends only the chunks
 * that differ (docs/operations.md, "Reprotect and failback").
 *
 * @param id stable id (one per reprotect job)
 * @param domain the local domain whose disks seed the repository (normally shut off)
 * @param repository a repository this agent keeps
 */
public record SeedAssignment(String id, String domain, String repository) {}
