package io.ferry.vault.store;

/** The databases the store runs on; {@link #id()} names the migration folder too. */
enum Vendor {
  SQLITE("sqlite"),
  POSTGRESQL("postgresql");

  private final String id;

  Vendor(String id) {
    this.id = id;
  }

  String id() {
    return id;
  }

  String migrations() {
    return "classpath:db/migration/" + id;
  }

  static Vendor ofUrl(String jdbcUrl) {
    if (jdbcUrl != null && jdbcUrl.startsWith("jdbc:sqlite:")) {
      return SQLITE;
    }
    if (jdbcUrl != null && jdbcUrl.startsWith("jdbc:postgresql:")) {
      return POSTGRESQL;
    }
    throw new StoreException("cannot open vault database " + jdbcUrl + ": unsupported JDBC URL",
        "use jdbc:postgresql://host:port/database, or a SQLite file (jdbc:sqlite:/path/vault.db)");
  }
}
