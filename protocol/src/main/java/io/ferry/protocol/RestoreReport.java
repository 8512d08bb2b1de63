package io.ferry.protocol;

/**
 * The outcome of a {@link RestoreAssignment}.
 *
 * @param pointId the point written (the one the assignment named when the agent first saw it)
 * @param bytesWritten bytes written into the domain's disks; {@code bytesTotal} the disks' size
 */
public record RestoreReport(String id, boolean done, String pointId, long bytesWritten, long bytesTotal, ErrorInfo error) {}
