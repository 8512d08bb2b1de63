package io.ferry.protocol;

import java.time.Instant;
import java.util.List;

/**
 * The state of one protected machine's replication as its source agent sees it.
 *
 * @param phase IDLE (waiting for the next cycle), CAPTURING, ERROR
 * @param mode FULL, INCREMENTAL or RESYNC for the running or last cycle
 * @param bytesDone bytes of the current cycle's plan read so far
 * @param bytesTotal bytes the current cycle plans to read (0 when unknown)
 * @param cycleStartedAt start of the running cycle (null when idle)
 * @param lastCycleAt end of the last successful cycle
 * @param lastCycleSeconds its duration
 * @param points committed points not yet acknowledged by the vault (oldest first)
 * @param resyncRequired change tracking was lost: the next cycle needs {@code allowResync}
 * @param error the last cycle's failure, null after a success
 */
public record ReplicationReport(String protectedMachineId, String phase, String mode, long bytesDone, long bytesTotal,
                                Instant cycleStartedAt, Instant lastCycleAt, double lastCycleSeconds,
                                List<PointReport> points, boolean resyncRequired, ErrorInfo error) {
    public ReplicationReport {
        points = points == null ? List.of() : List.copyOf(points);
    }
}
