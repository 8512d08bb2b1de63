package io.ferry.vault.store;

import java.time.Instant;

/**
 * A replication policy. Durations are whole seconds; {@code appConsistentFrequencySeconds} 0 means
 * no app-consistent points, {@code bandwidthLimitBps} 0 means unlimited; {@code compression} is
 * {@code "zstd"} or {@code "none"}. Value ranges are validated by the API, not here. On create, a
 * null {@code id} is generated and null times are now; on update, {@code updatedAt} is set by the
 * store.
 */
public record Policy(
    String id,
    String name,
    int copyFrequencySeconds,
    int retentionSeconds,
    int appConsistentFrequencySeconds,
    String compression,
    int compressionLevel,
    boolean encryption,
    long bandwidthLimitBps,
    int rpoThresholdSeconds,
    Instant createdAt,
    Instant updatedAt) {}
