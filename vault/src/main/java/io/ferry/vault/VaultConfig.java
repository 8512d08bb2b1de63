package io.ferry.vault;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How a vault runs, validated at start-up.
 *
 * @param dataDir CA, server certificate, SQLite database (0700)
 * @param jdbcUrl PostgreSQL URL; null = embedded SQLite in {@code dataDir/vault.db}
 * @param bind address to listen on; {@code port} 0 picks a free port (tests)
 * @param advertisedNames extra DNS names/IPs for the server certificate (local addresses are always in)
 * @param heartbeatInterval what agents are told
 * @param agentSilentAfter no heartbeat for this long raises AGENT_SILENT
 * @param monitorInterval how often RPO, health, alerts and retention are evaluated
 * @param adminPassword the first admin's password (null = generate and write to dataDir/admin-password)
 * @param gcGrace repositories keep unreferenced blobs this long
 * @param restorePatience how long a failback's last step waits out the home agent's restore errors
 *     (it retries) before the job fails with RESTORE_FAILED and the machine is PROTECTED again
 */
public record VaultConfig(Path dataDir, String jdbcUrl, String jdbcUser, String jdbcPassword, InetAddress bind,
                          int port, List<String> advertisedNames, Duration heartbeatInterval,
                          Duration agentSilentAfter, Duration monitorInterval, String adminPassword,
                          Duration gcGrace, Duration restorePatience) {
    public VaultConfig {
        Objects.requireNonNull(dataDir, "data directory");
        if (port < 0 || port > 65535) throw new IllegalArgumentException("port must be 0..65535, got " + port);
        advertisedNames = advertisedNames == null ? List.of() : List.copyOf(advertisedNames);
        if (heartbeatInterval == null) heartbeatInterval = Duration.ofSeconds(5);
        if (agentSilentAfter == null) agentSilentAfter = heartbeatInterval.multipliedBy(6);
        if (monitorInterval == null) monitorInterval = Duration.ofSeconds(2);
        // longer than the longest capture (put to commit): a sweep must never take a chunk a capture is about to reference
        if (gcGrace == null) gcGrace = Duration.ofHours(24);
        if (restorePatience == null) restorePatience = Duration.ofMinutes(3);
        if (restorePatience.isNegative() || restorePatience.isZero()) {
            throw new IllegalArgumentException("restore patience must be positive, got " + restorePatience);
        }
        if (heartbeatInterval.isNegative() || heartbeatInterval.isZero() || heartbeatInterval.toSeconds() > 300) {
            throw new IllegalArgumentException("heartbeat interval must be 1 s..5 min, got " + heartbeatInterval);
        }
        if (agentSilentAfter.compareTo(heartbeatInterval.multipliedBy(2)) < 0) {
            throw new IllegalArgumentException("agent-silent threshold must be at least two heartbeats, got " + agentSilentAfter);
        }
    }

    public static VaultConfig defaults(Path dataDir) {
        return new VaultConfig(dataDir, null, null, null, InetAddress.getLoopbackAddress(), 8443, List.of(),
                null, null, null, null, null, null);
    }

    public VaultConfig withPort(int p) {
        return new VaultConfig(dataDir, jdbcUrl, jdbcUser, jdbcPassword, bind, p, advertisedNames, heartbeatInterval,
                agentSilentAfter, monitorInterval, adminPassword, gcGrace, restorePatience);
    }

    public VaultConfig withBind(InetAddress b) {
        return new VaultConfig(dataDir, jdbcUrl, jdbcUser, jdbcPassword, b, port, advertisedNames, heartbeatInterval,
                agentSilentAfter, monitorInterval, adminPassword, gcGrace, restorePatience);
    }

    public VaultConfig withTimings(Duration heartbeat, Duration silentAfter, Duration monitor) {
        return new VaultConfig(dataDir, jdbcUrl, jdbcUser, jdbcPassword, bind, port, advertisedNames, heartbeat,
                silentAfter, monitor, adminPassword, gcGrace, restorePatience);
    }

    public VaultConfig withAdminPassword(String pw) {
        return new VaultConfig(dataDir, jdbcUrl, jdbcUser, jdbcPassword, bind, port, advertisedNames, heartbeatInterval,
                agentSilentAfter, monitorInterval, pw, gcGrace, restorePatience);
    }

    public VaultConfig withRestorePatience(Duration d) {
        return new VaultConfig(dataDir, jdbcUrl, jdbcUser, jdbcPassword, bind, port, advertisedNames, heartbeatInterval,
                agentSilentAfter, monitorInterval, adminPassword, gcGrace, d);
    }

    public VaultConfig withDatabase(String url, String user, String password) {
        return new VaultConfig(dataDir, url, user, password, bind, port, advertisedNames, heartbeatInterval,
                agentSilentAfter, monitorInterval, adminPassword, gcGrace, restorePatience);
    }

    public VaultConfig withGcGrace(Duration g) {
        return new VaultConfig(dataDir, jdbcUrl, jdbcUser, jdbcPassword, bind, port, advertisedNames, heartbeatInterval,
                agentSilentAfter, monitorInterval, adminPassword, g, restorePatience);
    }
}
