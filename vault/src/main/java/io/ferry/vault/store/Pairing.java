package io.ferry.vault.store;

import java.time.Instant;

/**
 * Primary site → recovery site with a policy, a recovery host, a repository and a network mapping
 * (JSON text: source network → recovery network). {@code encryptionKey} is base64 or null. On
 * create, a null {@code id} is generated and a null {@code createdAt} is now.
 */
public record Pairing(
    String id,
    String name,
    String primarySiteId,
    String recoverySiteId,
    String policyId,
    String recoveryHostId,
    String repositoryName,
    String networkMapping,
    String encryptionKey,
    Instant createdAt) {}
