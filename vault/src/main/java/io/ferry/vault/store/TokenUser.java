package io.ferry.vault.store;

import java.time.Instant;

/** A token with the user it belongs to, as found by its hash. */
public record TokenUser(Token token, User user) {

  /** The token is not expired and its user is not disabled. */
  public boolean usable(Instant now) {
    return !token.expired(now) && !user.disabled();
  }
}
