package io.ferry.protocol;

import java.time.Instant;

/**
 * The outcome of a {@link PowerAssignment}.
 *
 * @param state SHUTTING_DOWN, SHUT_OFF, TIMED_OUT, ERROR, or RESTARTED (it was shut off, then
 *        something started it again while the assignment still stood: the failover must not go on)
 * @param at when that state was reached (the agent's clock: a final-sync point whose data is frozen later holds every write)
 */
public record PowerReport(String id, String state, Instant at, ErrorInfo error) {
    public static final String SHUTTING_DOWN = "SHUTTING_DOWN";
    public static final String SHUT_OFF = "SHUT_OFF";
    public static final String TIMED_OUT = "TIMED_OUT";
    public static final String ERROR = "ERROR";
    public static final String RESTARTED = "RESTARTED";
}
