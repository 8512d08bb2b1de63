package io.ferry.protocol;

/**
 * The outcome of a {@link RestoreAssignment}.
 *
 * @param done every disk is written
 * @param pointId the point written (the one the assignment named when the agent first saw it)
 * @param bytesWritten bytes written into the domain's disks; {@code bytesTotal} the disks' size
 * @param started the domain was started afterwards (the assignment asked for it)
 */
public record RestoreReport(String id, boolean done, String pointId, long bytesWritten, long bytesTotal, ErrorInfo error,
                            boolean started) {
    public RestoreReport(String id, boolean done, String pointId, long bytesWritten, long bytesTotal, ErrorInfo error) {
        this(id, done, pointId, bytesWritten, bytesTotal, error, false);
    }

    public RestoreReport asStarted() {
        return new RestoreReport(id, done, pointId, bytesWritten, bytesTotal, null, true);
    }
}
