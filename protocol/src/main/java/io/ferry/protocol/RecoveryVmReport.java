package io.ferry.protocol;

import java.time.Instant;

/**
 * What the recovery agent did with a {@link RecoveryVmAssignment}.
 *
 * @param phase STARTING, RUNNING, REMOVING, REMOVED, RELEASING, RELEASED or ERROR
 * @param domain the libvirt domain it defined
 * @param pointId the point the running VM booted from
 * @param independent every disk was pulled into its overlay: the VM no longer reads the repository
 * @param startedAt when the domain was started (the agent's clock)
 * @param error what stops it, null otherwise
 */
public record RecoveryVmReport(String id, String phase, String domain, String pointId, boolean independent,
                               Instant startedAt, ErrorInfo error) {
    public static final String STARTING = "STARTING";
    public static final String RUNNING = "RUNNING";
    public static final String REMOVING = "REMOVING";
    public static final String REMOVED = "REMOVED";
    public static final String RELEASING = "RELEASING";
    public static final String RELEASED = "RELEASED";
    public static final String ERROR = "ERROR";
}
