package io.ferry.cli.service;

import io.ferry.cli.remote.Units;

import java.time.Duration;

/** Durations of the service options, in the remote commands' syntax ({@link Units#parseDuration}: 15s, 5m, 2h, 7d, 1h30m). */
final class Durations {
    private Durations() {}

    static Duration parse(String s, String option) {
        try {
            return Duration.ofSeconds(Units.parseDuration(s));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(option + ": " + e.getMessage(), e);
        }
    }
}
