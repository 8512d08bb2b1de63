package io.ferry.vault.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.output.MigrateResult;
import org.postgresql.ds.PGSimpleDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * Opens the databases: checks the target, migrates it with Flyway over a plain (unpooled)
 * connection, then builds the HikariCP pool the store works with.
 */
final class Connections {
  private static final Logger LOG = LoggerFactory.getLogger(Connections.class);
  static final int SQLITE_BUSY_TIMEOUT_MS = 5000;
  static final int POSTGRES_POOL_SIZE = 10;
  static final long CONNECTION_TIMEOUT_MS = 30_000;
  private static final Pattern PASSWORD_PARAMETER = Pattern.compile("(?i)([?&;](?:password|sslpassword)[^=&;]*)=[^&;]*");

  private Connections() {}

  /**
   * SQLite in WAL mode with foreign keys on and a 5 s busy timeout on every connection. The pool
   * holds one connection: every transaction of the vault is serialized on it, so writers never
   * meet SQLITE_BUSY inside the process.
   */
  static HikariDataSource sqlite(Path file) {
    Path path = file.toAbsolutePath().normalize();
    Path dir = path.getParent();
    if (dir == null || !Files.isDirectory(dir)) {
      throw new StoreException("cannot open vault database " + path + ": directory " + dir + " does not exist",
          "create the directory first, or choose another database file");
    }
    if (Files.isDirectory(path)) {
      throw new StoreException("cannot open vault database " + path + ": it is a directory", "give the path of a file, e.g. " + path.resolve("vault.db"));
    }
    if (!Files.isWritable(dir) || (Files.exists(path) && !Files.isWritable(path))) {
      throw new StoreException("cannot open vault database " + path + ": " + (Files.exists(path) ? path : dir) + " is not writable",
          "run the vault as a user that may write there, or choose another database file");
    }
    SQLiteConfig config = new SQLiteConfig();
    config.setJournalMode(SQLiteConfig.JournalMode.WAL);
    config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
    config.setBusyTimeout(SQLITE_BUSY_TIMEOUT_MS);
    config.enforceForeignKeys(true);
    SQLiteDataSource plain = new SQLiteDataSource(config);
    plain.setUrl("jdbc:sqlite:" + path);
    migrate(plain, Vendor.SQLITE, path.toString());
    HikariConfig hikari = new HikariConfig();
    hikari.setPoolName("ferry-vault-sqlite");
    hikari.setDataSource(plain);
    hikari.setMaximumPoolSize(1);
    hikari.setMinimumIdle(1);
    hikari.setConnectionTimeout(CONNECTION_TIMEOUT_MS);
    return pool(hikari, path.toString());
  }

  static HikariDataSource postgres(String jdbcUrl, String user, String password) {
    String where = redact(jdbcUrl);
    PGSimpleDataSource plain = new PGSimpleDataSource();
    try {
      plain.setURL(jdbcUrl);
    } catch (IllegalArgumentException e) {
      throw new StoreException("cannot open vault database " + where + ": " + e.getMessage(),
          "use jdbc:postgresql://host:port/database", e);
    }
    if (user != null) {
      plain.setUser(user);
    }
    if (password != null) {
      plain.setPassword(password);
    }
    migrate(plain, Vendor.POSTGRESQL, where);
    HikariConfig hikari = new HikariConfig();
    hikari.setPoolName("ferry-vault-postgresql");
    hikari.setJdbcUrl(jdbcUrl);
    hikari.setUsername(user);
    hikari.setPassword(password);
    hikari.setMaximumPoolSize(POSTGRES_POOL_SIZE);
    hikari.setConnectionTimeout(CONNECTION_TIMEOUT_MS);
    return pool(hikari, where);
  }

  /** The URL without the values of password-like parameters, for messages and logs. */
  static String redact(String jdbcUrl) {
    return jdbcUrl == null ? null : PASSWORD_PARAMETER.matcher(jdbcUrl).replaceAll("$1=***");
  }

  private static void migrate(DataSource plain, Vendor vendor, String where) {
    try {
      MigrateResult result = Flyway.configure()
          .dataSource(plain)
          .locations(vendor.migrations())
          .failOnMissingLocations(true)
          .load()
          .migrate();
      if (result.migrationsExecuted > 0) {
        LOG.info("vault database {} migrated to schema version {} ({} migration(s))", where, result.targetSchemaVersion,
            result.migrationsExecuted);
      }
    } catch (FlywayException e) {
      throw new StoreException("cannot open vault database " + where + ": migrating its schema failed: " + Errors.rootMessage(e),
          vendor == Vendor.POSTGRESQL
              ? "check that PostgreSQL is reachable, the database exists and the user may create tables in it"
              : "check that the file is a Ferry vault database written by this or an older Ferry version", e);
    }
  }

  private static HikariDataSource pool(HikariConfig config, String where) {
    try {
      return new HikariDataSource(config);
    } catch (RuntimeException e) {
      throw new StoreException("cannot open vault database " + where + ": " + Errors.rootMessage(e),
          "check that the database is reachable and the credentials are right", e);
    }
  }
}
