package io.ferry.vault.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store contract on SQLite (a file in a temporary directory per test), plus SQLite's own settings. */
class SqliteVaultStoreTest extends VaultStoreContract {
  @TempDir
  Path dir;

  @Override
  protected VaultStore openStore(Clock clock) {
    return VaultStore.openSqlite(dir.resolve("vault.db"), clock);
  }

  @Override
  protected String expectedVendor() {
    return "sqlite";
  }

  @Test
  void connectionsUseWalBusyTimeoutAndForeignKeys() {
    assertThat(pragma("journal_mode")).isEqualToIgnoringCase("wal");
    assertThat(pragma("busy_timeout")).isEqualTo("5000");
    assertThat(pragma("foreign_keys")).isEqualTo("1");
  }

  private String pragma(String name) {
    return store.jdbi().withHandle(h -> h.createQuery("PRAGMA " + name).mapTo(String.class).one());
  }

  @Test
  void openingInAMissingDirectoryNamesThePath() {
    Path file = dir.resolve("no-such-dir").resolve("vault.db");
    assertThatThrownBy(() -> VaultStore.openSqlite(file))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("does not exist")
        .satisfies(e -> assertThat(((StoreException) e).hint()).isNotEmpty());
  }

  @Test
  void openingUnderAFileNamesThePath() throws Exception {
    Path notADir = Files.writeString(dir.resolve("plain-file"), "x");
    Path file = notADir.resolve("vault.db");
    assertThatThrownBy(() -> VaultStore.openSqlite(file))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining(file.toString());
  }

  @Test
  void openingADirectoryOrAForeignFileNamesThePath() throws Exception {
    assertThatThrownBy(() -> VaultStore.openSqlite(dir))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining(dir.toString())
        .hasMessageContaining("is a directory");
    Path garbage = Files.writeString(dir.resolve("garbage.db"), "this is not an SQLite database, not even close".repeat(100));
    assertThatThrownBy(() -> VaultStore.openSqlite(garbage))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining(garbage.toString());
  }

  @Test
  void aJdbcUrlOpensSqliteToo() {
    store.close();
    try (VaultStore byUrl = VaultStore.open("jdbc:sqlite:" + dir.resolve("vault.db"), null, null)) {
      assertThat(byUrl.vendor()).isEqualTo("sqlite");
      assertThat(byUrl.sites()).isEmpty();
    }
  }
}
