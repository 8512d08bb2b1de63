package io.ferry.cli.service;

import java.time.Duration;

/** Durations like 500ms, 15s, 5m, 2h, 7d. */
final class Durations {
    private Durations() {}

    static Duration parse(String s, String option) {
        var m = java.util.regex.Pattern.compile("(\\d+)(ms|s|m|h|d)").matcher(s == null ? "" : s.trim());
        if (!m.matches()) throw new IllegalArgumentException(option + " must look like 500ms, 15s, 5m, 2h or 7d, got '" + s + "'");
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
    }
}
