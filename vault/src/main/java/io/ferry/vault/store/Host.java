package io.ferry.vault.store;

import java.time.Instant;

/**
 * A registered KVM host running an agent. {@code inventory} is JSON text (networks, storage...)
 * as last reported; {@code dataAddress}, {@code lastHeartbeatAt}, {@code agentVersion} and
 * {@code inventory} are null until the first heartbeat reports them. On create, a null {@code id}
 * is generated and a null {@code registeredAt} is now.
 */
public record Host(
    String id,
    String siteId,
    String name,
    String dataAddress,
    String certFingerprint,
    Instant registeredAt,
    Instant lastHeartbeatAt,
    String agentVersion,
    String inventory) {}
