package io.ferry.protocol;

/**
 * The outcome of a {@link RestoreAssignment}.
 *
 * @param bytesWritten bytes written into the domain's disks; {@code bytesTotal} the disks' size
 */
public record RestoreReport(String id, boolean done, long bytesWritten, long bytesTotal, ErrorInfo error) {}
