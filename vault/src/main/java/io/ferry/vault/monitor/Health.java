package io.ferry.vault.monitor;

import java.time.Duration;

/**
 * Health of a protected machine from its RPO and its policy's threshold: HEALTHY up to the
 * threshold, WARNING up to twice it, CRITICAL beyond (or when its source agent is silent).
 */
public enum Health {
    HEALTHY, WARNING, CRITICAL, UNKNOWN;

    public static Health of(Duration rpo, Duration threshold) {
        if (rpo == null) return UNKNOWN;
        if (rpo.compareTo(threshold) <= 0) return HEALTHY;
        if (rpo.compareTo(threshold.multipliedBy(2)) <= 0) return WARNING;
        return CRITICAL;
    }
}
