package io.ferry.vault.store;

import java.time.Instant;

/**
 * A condition an operator should see, about one object ({@code objectKind}, {@code objectId}).
 * Active while {@code clearedAt} is null; at most one active alert per ({@code kind}, {@code
 * objectId}). {@code severity} is {@code WARNING} or {@code CRITICAL}.
 */
public record Alert(
    String id,
    String kind,
    String severity,
    String objectKind,
    String objectId,
    String message,
    String hint,
    Instant raisedAt,
    Instant clearedAt) {

  public boolean active() {
    return clearedAt == null;
  }
}
