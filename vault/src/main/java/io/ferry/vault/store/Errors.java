package io.ferry.vault.store;

import org.jdbi.v3.core.ConnectionException;
import org.jdbi.v3.core.JdbiException;

/** Turns driver and Jdbi errors nobody anticipated into store errors that name the operation. */
final class Errors {
  private Errors() {}

  static StoreException translate(JdbiException e, String operation, Vendor vendor) {
    var violation = Violation.find(e);
    if (violation.isPresent()) {
      StoreException translated = violation.get().toException(operation);
      translated.addSuppressed(e);
      return translated;
    }
    if (e instanceof ConnectionException) {
      return new StoreException("cannot " + operation + ": no connection to the vault database (" + vendor.id() + "): " + rootMessage(e),
          "check that the database is reachable; if it is, the vault is overloaded: every pooled connection stayed busy for "
              + Connections.CONNECTION_TIMEOUT_MS / 1000 + " s", e);
    }
    return new StoreException("cannot " + operation + ": vault database (" + vendor.id() + ") error: " + rootMessage(e),
        "retry if the database was briefly unavailable; otherwise see the vault log for the SQL error", e);
  }

  static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }
}
