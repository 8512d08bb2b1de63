package io.ferry.repository;

import java.io.IOException;

/**
 * Base of every repository error. The message names the repository, the object (blob key or
 * point id) and the operation; {@link #hint()} tells the operator what to do.
 */
public class RepositoryException extends IOException {
  private final String detail;
  private final String hint;

  public RepositoryException(String detail, String hint) {
    this(detail, hint, null);
  }

  public RepositoryException(String detail, String hint, Throwable cause) {
    super(hint == null || hint.isEmpty() ? detail : detail + " — hint: " + hint, cause);
    this.detail = detail;
    this.hint = hint == null ? "" : hint;
  }

  /** The message without the hint. */
  public String detail() {
    return detail;
  }

  public String hint() {
    return hint;
  }
}
