package io.ferry.protocol;

/**
 * Write a point of a repository this agent keeps into the disks of a local, shut-off domain
 * (failback to the original location), then optionally start it.
 *
 * @param id stable id (one per job step)
 * @param mode DELTA: compare every chunk by digest and write only those that differ; FULL: write every chunk
 * @param start start the domain once every disk is written
 */
public record RestoreAssignment(String id, String repository, String pointId, String domain, String mode, boolean start) {
    public static final String DELTA = "DELTA";
    public static final String FULL = "FULL";
}
