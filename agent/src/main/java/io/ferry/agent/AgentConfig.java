package io.ferry.agent;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * How an agent runs, validated when built.
 *
 * @param vault the vault's URL (https://host:port)
 * @param stateDir identity, pending reports, repositories (0700)
 * @param registrationKey one-time key, only needed until the agent is registered
 * @param caFingerprint the vault CA's fingerprint the key came with (pins the first connection)
 * @param dataListen where to serve repositories to other agents (null: this host keeps none)
 * @param dataAdvertise the address other agents use to reach {@code dataListen} (defaults to it)
 * @param inventoryFilter only domains whose name matches are reported (lab hosts sharing one libvirt)
 * @param libvirtUri the local hypervisor
 * @param hostname the name this host registers under
 * @param captureWorkers threads hashing/compressing per capture
 */
public record AgentConfig(URI vault, Path stateDir, String registrationKey, String caFingerprint,
                          InetSocketAddress dataListen, String dataAdvertise, Pattern inventoryFilter,
                          String libvirtUri, String hostname, int captureWorkers, Duration requestTimeout) {
    public AgentConfig {
        Objects.requireNonNull(vault, "vault URL");
        Objects.requireNonNull(stateDir, "state directory");
        if (!"https".equals(vault.getScheme())) {
            throw new IllegalArgumentException("the vault URL must be https://HOST:PORT, got " + vault);
        }
        if (inventoryFilter == null) inventoryFilter = Pattern.compile(".*");
        if (libvirtUri == null) libvirtUri = "qemu:///system";
        if (captureWorkers < 1) captureWorkers = Math.max(1, Runtime.getRuntime().availableProcessors());
        if (requestTimeout == null) requestTimeout = Duration.ofSeconds(20);
        if (dataListen != null && (dataAdvertise == null || dataAdvertise.isBlank())
                && dataListen.getAddress() != null && dataListen.getAddress().isAnyLocalAddress()) {
            throw new IllegalArgumentException("the data port listens on every address (" + dataListen.getAddress().getHostAddress()
                    + "): give --data-advertise ADDRESS:PORT, the address the source agents reach this host by");
        }
        if (dataListen != null && (dataAdvertise == null || dataAdvertise.isBlank())) {
            String host = dataListen.getAddress() != null ? dataListen.getAddress().getHostAddress() : dataListen.getHostString();
            dataAdvertise = (host.contains(":") ? "[" + host + "]" : host) + ":" + dataListen.getPort();
        }
    }

    public Path repositoriesDir() {
        return stateDir.resolve("repositories");
    }
}
