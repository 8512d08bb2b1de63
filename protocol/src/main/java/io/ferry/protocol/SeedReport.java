package io.ferry.protocol;

/** The outcome of a {@link SeedAssignment}: done with the point it committed, or the error that stops it. */
public record SeedReport(String id, boolean done, String pointId, long bytesRead, long bytesStored, ErrorInfo error) {}
