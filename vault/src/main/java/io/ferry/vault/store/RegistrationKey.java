package io.ferry.vault.store;

import java.time.Instant;

/**
 * A one-time key an agent presents to register with a site. Only the hex SHA-256 of the secret is
 * kept. {@code usedAt}/{@code usedByHost} are null until the key is consumed.
 */
public record RegistrationKey(
    String id, String siteId, String keyHash, Instant createdAt, Instant expiresAt, Instant usedAt, String usedByHost) {

  public boolean used() {
    return usedAt != null;
  }
}
