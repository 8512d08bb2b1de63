package io.ferry.vault.store;

import java.time.Instant;

/** An API token of a user; only the hash of the secret is kept. {@code expiresAt} null means never. */
public record Token(
    String id, String userId, String tokenHash, String name, Instant createdAt, Instant expiresAt, Instant lastUsedAt) {

  public boolean expired(Instant now) {
    return expiresAt != null && !now.isBefore(expiresAt);
  }
}
