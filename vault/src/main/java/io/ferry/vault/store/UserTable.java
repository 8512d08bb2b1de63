package io.ferry.vault.store;

import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.mapper.RowMapper;

/** {@code users}: API users with a role and a PBKDF2 password hash, unique by name. */
final class UserTable {
  static final RowMapper<User> MAPPER = (rs, ctx) -> new User(
      rs.getString("id"), rs.getString("name"), rs.getString("role"), rs.getString("password_hash"),
      Rows.instant(rs, "created_at"), rs.getBoolean("disabled"));

  private final Db db;

  UserTable(Db db) {
    this.db = db;
  }

  User create(String name, String role, String passwordHash) {
    User user = new User(Ids.newId("user"), name, role, passwordHash, db.now(), false);
    db.guarded(() -> db.h.createUpdate("""
            INSERT INTO users (id, name, role, password_hash, created_at, disabled)
            VALUES (:id, :name, :role, :password_hash, :created_at, :disabled)""")
        .bind("id", user.id())
        .bind("name", name)
        .bind("role", role)
        .bind("password_hash", passwordHash)
        .bind("created_at", Rows.millis(user.createdAt()))
        .bind("disabled", false)
        .execute(), v -> conflict(v, user, "create user '" + name + "'"));
    return user;
  }

  /** Updates name, role, password hash and disabled of the user {@code given.id()}. */
  User update(User given) {
    String operation = "update user " + given.id();
    User before = byId(given.id()).orElseThrow(() -> new NotFoundException("user", given.id(), operation));
    User user = new User(given.id(), given.name(), given.role(), given.passwordHash(), before.createdAt(), given.disabled());
    db.guarded(() -> db.h.createUpdate("""
            UPDATE users SET name = :name, role = :role, password_hash = :password_hash, disabled = :disabled WHERE id = :id""")
        .bind("id", user.id())
        .bind("name", user.name())
        .bind("role", user.role())
        .bind("password_hash", user.passwordHash())
        .bind("disabled", user.disabled())
        .execute(), v -> conflict(v, user, operation));
    return user;
  }

  private StoreException conflict(Violation v, User user, String operation) {
    Optional<User> holder = byName(user.name()).filter(u -> !u.id().equals(user.id()));
    return v.kind() == Violation.Kind.UNIQUE && holder.isPresent()
        ? new ConflictException("cannot " + operation + ": the name '" + user.name() + "' is taken by user " + holder.get().id(),
            "choose another user name", holder.get().id())
        : v.toException(operation);
  }

  Optional<User> byId(String id) {
    return db.h.createQuery("SELECT * FROM users WHERE id = :id").bind("id", id).map(MAPPER).findOne();
  }

  Optional<User> byName(String name) {
    return db.h.createQuery("SELECT * FROM users WHERE name = :name").bind("name", name).map(MAPPER).findOne();
  }

  List<User> all() {
    return db.h.createQuery("SELECT * FROM users ORDER BY name").map(MAPPER).list();
  }

  void require(String id, String operation) {
    if (byId(id).isEmpty()) {
      throw new NotFoundException("user", id, operation);
    }
  }
}
