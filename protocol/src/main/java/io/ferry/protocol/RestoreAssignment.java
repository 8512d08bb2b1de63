package io.ferry.protocol;

import java.util.Map;

/**
 * Write a point into the disks of a shut-off domain on this host (failback), then optionally
 * start it. The point is read from a repository this agent keeps or, for a failback to another
 * host than the machine's own, from that host's repository over the data channel.
 *
 * @param id stable id (one per job step)
 * @param mode DELTA: compare every chunk by digest and write only those that differ; FULL: write every chunk
 * @param start start the domain once every disk is written; may turn true later for the same id
 *        (the vault first confirms the other copy is still off): the agent then starts it
 * @param create if no domain of that name exists here, define it from the point's domain
 *        configuration with new qcow2 images (MAC addresses kept, networks mapped); false: a
 *        missing domain is an error
 * @param sourceHostId the agent that keeps {@code repository}, or null if this agent does
 * @param sourceDataAddress that agent's data port (HOST:PORT), with {@code sourceHostId}
 * @param encryptionKey the repository's key (base64), with {@code sourceHostId}; null if none
 * @param networkMapping with {@code create}: source network name to this site's network name
 */
public record RestoreAssignment(String id, String repository, String pointId, String domain, String mode, boolean start,
                                boolean create, String sourceHostId, String sourceDataAddress, String encryptionKey,
                                Map<String, String> networkMapping) {
    public static final String DELTA = "DELTA";
    public static final String FULL = "FULL";

    public RestoreAssignment {
        networkMapping = networkMapping == null ? Map.of() : Map.copyOf(networkMapping);
    }

    /** Into an existing local domain from a repository this agent keeps (failback in place). */
    public static RestoreAssignment inPlace(String id, String repository, String pointId, String domain, String mode, boolean start) {
        return new RestoreAssignment(id, repository, pointId, domain, mode, start, false, null, null, null, Map.of());
    }
}
