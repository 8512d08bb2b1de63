package io.ferry.vault.store;

/** Progress of the running step of a job; {@code etaSeconds} is null when unknown. */
public record JobProgress(long bytesDone, long bytesTotal, double percent, Long etaSeconds) {}
