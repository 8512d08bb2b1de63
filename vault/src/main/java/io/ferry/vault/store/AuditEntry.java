package io.ferry.vault.store;

import java.time.Instant;

/**
 * One line of the audit log. {@code seq} is assigned by the store on append (pass 0); {@code
 * outcome} is {@code OK}, {@code DENIED} or {@code FAILED}; {@code status} is the HTTP status.
 */
public record AuditEntry(
    long seq, Instant at, String actor, String role, String action, String target, String outcome, int status, String detail) {

  public static final String OK = "OK";
  public static final String DENIED = "DENIED";
  public static final String FAILED = "FAILED";
}
