package io.ferry.vault.store;

import java.util.Optional;

/**
 * The operation would break a uniqueness or reference rule: a name already taken, a second active
 * job for one target, a policy still used by pairings. {@link #existingId()} names the object in
 * the way when there is one (the active job, the site holding the name).
 */
public class ConflictException extends StoreException {
  private final String existingId;

  public ConflictException(String detail, String hint) {
    this(detail, hint, null, null);
  }

  public ConflictException(String detail, String hint, String existingId) {
    this(detail, hint, existingId, null);
  }

  public ConflictException(String detail, String hint, String existingId, Throwable cause) {
    super(detail, hint, cause);
    this.existingId = existingId;
  }

  /** Id of the object that holds what was asked for, when known. */
  public Optional<String> existingId() {
    return Optional.ofNullable(existingId);
  }
}
