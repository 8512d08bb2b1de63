package io.ferry.vault.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.mapper.RowMapper;

/** {@code tokens}: API tokens of users, kept as hashes of the secret. */
final class TokenTable {
  static final RowMapper<Token> MAPPER = (rs, ctx) -> new Token(
      rs.getString("id"), rs.getString("user_id"), rs.getString("token_hash"), rs.getString("name"),
      Rows.instant(rs, "created_at"), Rows.instant(rs, "expires_at"), Rows.instant(rs, "last_used_at"));

  private final Db db;
  private final UserTable users;

  TokenTable(Db db, UserTable users) {
    this.db = db;
    this.users = users;
  }

  Token create(String userId, String tokenHash, String name, Instant expiresAt) {
    String operation = "create token '" + name + "' for user " + userId;
    users.require(userId, operation);
    Token token = new Token(Ids.newId("token"), userId, tokenHash, name, db.now(), Rows.stored(expiresAt), null);
    db.guarded(() -> db.h.createUpdate("""
            INSERT INTO tokens (id, user_id, token_hash, name, created_at, expires_at)
            VALUES (:id, :user_id, :token_hash, :name, :created_at, :expires_at)""")
        .bind("id", token.id())
        .bind("user_id", userId)
        .bind("token_hash", tokenHash)
        .bind("name", name)
        .bind("created_at", Rows.millis(token.createdAt()))
        .bind("expires_at", Rows.millis(token.expiresAt()))
        .execute(), v -> v.kind() == Violation.Kind.UNIQUE
            ? new ConflictException("cannot " + operation + ": a token with the same hash exists", "generate a new random secret")
            : v.toException(operation));
    return token;
  }

  Optional<TokenUser> byHash(String tokenHash) {
    return db.h.createQuery("""
            SELECT t.id AS t_id, t.user_id AS t_user_id, t.token_hash AS t_token_hash, t.name AS t_name,
              t.created_at AS t_created_at, t.expires_at AS t_expires_at, t.last_used_at AS t_last_used_at, u.*
            FROM tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = :token_hash""")
        .bind("token_hash", tokenHash)
        .map((rs, ctx) -> new TokenUser(
            new Token(rs.getString("t_id"), rs.getString("t_user_id"), rs.getString("t_token_hash"), rs.getString("t_name"),
                Rows.instant(rs, "t_created_at"), Rows.instant(rs, "t_expires_at"), Rows.instant(rs, "t_last_used_at")),
            UserTable.MAPPER.map(rs, ctx)))
        .findOne();
  }

  void touch(String id, Instant at) {
    int changed = db.h.createUpdate("UPDATE tokens SET last_used_at = :at WHERE id = :id").bind("at", Rows.millis(at)).bind("id", id).execute();
    if (changed == 0) {
      throw new NotFoundException("token", id, "record the use of token " + id);
    }
  }

  void delete(String id) {
    int changed = db.h.createUpdate("DELETE FROM tokens WHERE id = :id").bind("id", id).execute();
    if (changed == 0) {
      throw new NotFoundException("token", id, "delete token " + id);
    }
  }

  List<Token> byUser(String userId) {
    return db.h.createQuery("SELECT * FROM tokens WHERE user_id = :user_id ORDER BY created_at, id")
        .bind("user_id", userId).map(MAPPER).list();
  }
}
