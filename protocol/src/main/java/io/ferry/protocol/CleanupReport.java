package io.ferry.protocol;

/** The outcome of a {@link CleanupAssignment}: done, or the error that stops it. */
public record CleanupReport(String id, boolean done, ErrorInfo error) {}
