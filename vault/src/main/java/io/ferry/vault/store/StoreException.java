package io.ferry.vault.store;

/**
 * Base of every store error. The message names the object and the operation; {@link #hint()}
 * tells the operator (or the API caller) what to do about it.
 */
public class StoreException extends RuntimeException {
  private final String detail;
  private final String hint;

  public StoreException(String detail, String hint) {
    this(detail, hint, null);
  }

  public StoreException(String detail, String hint, Throwable cause) {
    super(hint == null || hint.isEmpty() ? detail : detail + " — hint: " + hint, cause);
    this.detail = detail;
    this.hint = hint == null ? "" : hint;
  }

  /** The message without the hint. */
  public String detail() {
    return detail;
  }

  /** What to do about it; empty when there is nothing useful to say. */
  public String hint() {
    return hint;
  }
}
