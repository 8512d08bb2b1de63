package io.ferry.vault.store;

import java.time.Instant;

/** One named step of a job; times are null until the step starts or ends. */
public record JobStep(String name, String state, Instant startedAt, Instant endedAt, String message) {}
