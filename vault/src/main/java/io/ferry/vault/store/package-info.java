/**
 * The vault's persistence layer: one {@link io.ferry.vault.store.VaultStore} over SQLite (embedded,
 * the default) or PostgreSQL, with the same schema, the same operations and the same guarantees
 * on both (proved by one contract test suite run on each).
 *
 * <p>What lives here: {@code VaultStore} (opening, pooling, migrations, transactions), the
 * operations it offers ({@link io.ferry.vault.store.StoreOperations}, implemented per table by
 * small package-private {@code *Table} classes), the rows as public records ({@code Site},
 * {@code Host}, {@code Job}, ...), the store's exceptions ({@code StoreException}, {@code
 * ConflictException}, {@code NotFoundException}) and {@code Passwords} (PBKDF2 hashes kept in
 * {@code users}). Schemas are Flyway migrations under {@code db/migration/<vendor>}.
 *
 * <p>Conventions: ids are strings (a kind prefix and random hex, generated here unless given);
 * times are {@link java.time.Instant}s stored as epoch milliseconds; free-form JSON columns are
 * Jackson-serialized text; enum-like columns are upper-case strings checked by the schema.
 *
 * <p>May depend on: the JDK, JDBC drivers (sqlite-jdbc, PostgreSQL), HikariCP, Jdbi, Flyway,
 * Jackson and SLF4J. Never on HTTP, the API, the jobs engine or the agents: they call the store,
 * not the other way round.
 */
package io.ferry.vault.store;
