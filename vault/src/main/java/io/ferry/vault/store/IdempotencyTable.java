package io.ferry.vault.store;

import java.time.Instant;
import java.util.Optional;
import org.jdbi.v3.core.mapper.RowMapper;

/** {@code idempotency_keys}: the first response to each (key, actor), replayed to retries. */
final class IdempotencyTable {
  static final RowMapper<IdempotentResponse> MAPPER = (rs, ctx) -> new IdempotentResponse(
      rs.getString("key"), rs.getString("actor"), rs.getString("request_hash"), rs.getInt("status"),
      rs.getString("response_body"), Rows.instant(rs, "created_at"));

  private final Db db;

  IdempotencyTable(Db db) {
    this.db = db;
  }

  Optional<IdempotentResponse> find(String key, String actor) {
    return db.h.createQuery("SELECT * FROM idempotency_keys WHERE \"key\" = :key AND actor = :actor")
        .bind("key", key).bind("actor", actor).map(MAPPER).findOne();
  }

  IdempotentResponse save(String key, String actor, String requestHash, int status, String responseBody, Instant at) {
    IdempotentResponse response = new IdempotentResponse(key, actor, requestHash, status, responseBody, Rows.stored(at));
    db.guarded(() -> db.h.createUpdate("""
            INSERT INTO idempotency_keys ("key", actor, request_hash, status, response_body, created_at)
            VALUES (:key, :actor, :request_hash, :status, :response_body, :created_at)""")
        .bind("key", key)
        .bind("actor", actor)
        .bind("request_hash", requestHash)
        .bind("status", status)
        .bind("response_body", responseBody)
        .bind("created_at", Rows.millis(at))
        .execute(), v -> v.kind() == Violation.Kind.UNIQUE
            ? new ConflictException("cannot save the response to idempotency key '" + key + "' of " + actor
                + ": a response is already saved for it", "replay the saved response instead of running the request again")
            : v.toException("save the response to idempotency key '" + key + "'"));
    return response;
  }

  /** Forgets responses saved before {@code before}; returns how many. */
  int purge(Instant before) {
    return db.h.createUpdate("DELETE FROM idempotency_keys WHERE created_at < :before").bind("before", Rows.millis(before)).execute();
  }
}
