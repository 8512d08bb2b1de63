package io.ferry.vault.store;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.JdbiException;

/** What a table needs inside one transaction: the handle, the vendor, the clock and JSON. */
final class Db {
  private static final String GUARD = "ferry_guard";
  final Handle h;
  final Vendor vendor;
  final Json json;
  private final Clock clock;

  Db(Handle h, Vendor vendor, Json json, Clock clock) {
    this.h = h;
    this.vendor = vendor;
    this.json = json;
    this.clock = clock;
  }

  /** Now, to the millisecond (what the database keeps). */
  Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MILLIS);
  }

  /**
   * Runs a statement that may break a constraint inside a savepoint. On a violation the savepoint
   * is rolled back, so the transaction stays usable (PostgreSQL would otherwise refuse every later
   * statement) and {@code onViolation} may query to explain the conflict; its exception is thrown.
   */
  <T> T guarded(Supplier<T> body, Function<Violation, ? extends StoreException> onViolation) {
    h.execute("SAVEPOINT " + GUARD);
    T result;
    try {
      result = body.get();
    } catch (RuntimeException e) {
      try {
        h.execute("ROLLBACK TO SAVEPOINT " + GUARD);
        h.execute("RELEASE SAVEPOINT " + GUARD);
      } catch (RuntimeException rollback) {
        e.addSuppressed(rollback);
        throw e;
      }
      Optional<Violation> violation = e instanceof JdbiException ? Violation.find(e) : Optional.empty();
      if (violation.isEmpty()) {
        throw e;
      }
      StoreException explained = onViolation.apply(violation.get());
      explained.addSuppressed(e);
      throw explained;
    }
    h.execute("RELEASE SAVEPOINT " + GUARD);
    return result;
  }
}
