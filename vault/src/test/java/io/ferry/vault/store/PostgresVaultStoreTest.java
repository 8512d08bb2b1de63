package io.ferry.vault.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The store contract on PostgreSQL: one embedded server per class, one database {@code vault},
 * and a fresh schema per test (Flyway creates it; ~10× cheaper than a database per test).
 */
class PostgresVaultStoreTest extends VaultStoreContract {
  private static final AtomicInteger SCHEMAS = new AtomicInteger();
  private static EmbeddedPostgres postgres;
  private final String schema = "test_" + SCHEMAS.incrementAndGet();

  @BeforeAll
  static void startPostgres() throws Exception {
    long started = System.nanoTime();
    postgres = EmbeddedPostgres.builder().start();
    System.out.printf("embedded PostgreSQL started in %d ms on port %d%n", (System.nanoTime() - started) / 1_000_000, postgres.getPort());
    try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE vault");
    }
  }

  @AfterAll
  static void stopPostgres() throws Exception {
    if (postgres != null) {
      postgres.close();
    }
  }

  @Override
  protected VaultStore openStore(Clock clock) {
    return VaultStore.open(postgres.getJdbcUrl("postgres", "vault") + "&currentSchema=" + schema, "postgres", "postgres", clock);
  }

  @Override
  protected String expectedVendor() {
    return "postgresql";
  }

  @Test
  void theTablesLiveInTheConfiguredSchema() {
    String table = store.jdbi().withHandle(h -> h.createQuery("SELECT table_schema FROM information_schema.tables WHERE table_name = 'jobs'"
        + " AND table_schema = :schema").bind("schema", schema).mapTo(String.class).one());
    assertThat(table).isEqualTo(schema);
  }

  @Test
  void anUnreachableServerNamesTheUrl() {
    String url = "jdbc:postgresql://127.0.0.1:1/vault?connectTimeout=2&password=hunter2";
    assertThatThrownBy(() -> VaultStore.open(url, "ferry", "secret"))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("jdbc:postgresql://127.0.0.1:1/vault?connectTimeout=2&password=***")
        .hasMessageNotContaining("hunter2")
        .hasMessageNotContaining("secret")
        .satisfies(e -> assertThat(((StoreException) e).hint()).contains("PostgreSQL is reachable"));
  }

  @Test
  void theLocationNeverShowsAPassword() {
    assertThat(store.location()).startsWith("jdbc:postgresql://");
    assertThat(Connections.redact("jdbc:postgresql://h/db?user=u&password=p&ssl=true")).isEqualTo("jdbc:postgresql://h/db?user=u&password=***&ssl=true");
  }

  @Test
  void anUnknownUrlIsRefusedWithAHint() {
    assertThatThrownBy(() -> VaultStore.open("jdbc:mysql://localhost/vault", "u", "p"))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("jdbc:mysql://localhost/vault")
        .satisfies(e -> assertThat(((StoreException) e).hint()).contains("jdbc:postgresql"));
  }
}
