package io.ferry.vault.store;

import java.sql.SQLException;
import java.util.Optional;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * A constraint violation reported by either driver, classified: SQLite by its extended result
 * code, PostgreSQL by SQLSTATE class 23.
 */
record Violation(Kind kind, String detail) {

  enum Kind { UNIQUE, FOREIGN_KEY, NOT_NULL, CHECK, OTHER }

  /** The violation somewhere in {@code error}'s causes, if it is one. */
  static Optional<Violation> find(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof SQLiteException e) {
        return sqlite(e);
      }
      if (t instanceof SQLException e && e.getSQLState() != null && e.getSQLState().startsWith("23")) {
        return Optional.of(new Violation(postgres(e.getSQLState()), firstLine(e.getMessage())));
      }
    }
    return Optional.empty();
  }

  private static Optional<Violation> sqlite(SQLiteException e) {
    SQLiteErrorCode code = e.getResultCode();
    if (code == null || (code.code & 0xff) != SQLiteErrorCode.SQLITE_CONSTRAINT.code) {
      return Optional.empty();
    }
    Kind kind = switch (code) {
      case SQLITE_CONSTRAINT_UNIQUE, SQLITE_CONSTRAINT_PRIMARYKEY -> Kind.UNIQUE;
      case SQLITE_CONSTRAINT_FOREIGNKEY -> Kind.FOREIGN_KEY;
      case SQLITE_CONSTRAINT_NOTNULL -> Kind.NOT_NULL;
      case SQLITE_CONSTRAINT_CHECK -> Kind.CHECK;
      default -> Kind.OTHER;
    };
    String message = e.getMessage();
    int open = message == null ? -1 : message.indexOf('(');
    String detail = open >= 0 && message.endsWith(")") ? message.substring(open + 1, message.length() - 1) : message;
    return Optional.of(new Violation(kind, firstLine(detail)));
  }

  private static Kind postgres(String sqlState) {
    return switch (sqlState) {
      case "23505" -> Kind.UNIQUE;
      case "23503" -> Kind.FOREIGN_KEY;
      case "23502" -> Kind.NOT_NULL;
      case "23514" -> Kind.CHECK;
      default -> Kind.OTHER;
    };
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "constraint violated";
    }
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }

  /** The generic error for a violation nobody anticipated: conflicts for keys, bad input otherwise. */
  StoreException toException(String operation) {
    return switch (kind) {
      case UNIQUE -> new ConflictException("cannot " + operation + ": an object with the same key already exists (" + detail + ")",
          "use another name or id, or work with the existing object");
      case FOREIGN_KEY -> new ConflictException("cannot " + operation + ": it references a missing object or is still referenced (" + detail + ")",
          "check that the objects it names exist, and that nothing still uses what is being deleted");
      case NOT_NULL, CHECK, OTHER -> new StoreException("cannot " + operation + ": a value is missing or not allowed (" + detail + ")",
          "this is a bug in the caller of the store: it should have validated the value");
    };
  }
}
