package io.ferry.transport.tls;

import java.io.IOException;

/**
 * A certificate, key or request could not be created, read or accepted. The message names the
 * object (file, agent id, certificate) and the operation; {@link #hint()} tells the operator what
 * to do.
 */
public class TlsException extends IOException {
  private final String detail;
  private final String hint;

  public TlsException(String detail, String hint) {
    this(detail, hint, null);
  }

  public TlsException(String detail, String hint, Throwable cause) {
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
