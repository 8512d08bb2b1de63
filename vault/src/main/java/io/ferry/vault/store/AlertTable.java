package io.ferry.vault.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.statement.Query;

/**
 * {@code alerts}: conditions for operators. The partial unique index {@code alerts_one_active}
 * keeps one active alert per (kind, object); raising it again refreshes that one.
 */
final class AlertTable {
  static final RowMapper<Alert> MAPPER = (rs, ctx) -> new Alert(
      rs.getString("id"), rs.getString("kind"), rs.getString("severity"), rs.getString("object_kind"), rs.getString("object_id"),
      rs.getString("message"), rs.getString("hint"), Rows.instant(rs, "raised_at"), Rows.instant(rs, "cleared_at"));

  private final Db db;

  AlertTable(Db db) {
    this.db = db;
  }

  /** The active alert of that kind for the object, created or refreshed (severity, message, hint). */
  Alert raise(String kind, String severity, String objectKind, String objectId, String message, String hint, Instant at) {
    String operation = "raise alert " + kind + " for " + objectKind + " " + objectId;
    db.guarded(() -> db.h.createUpdate("""
            INSERT INTO alerts (id, kind, severity, object_kind, object_id, message, hint, raised_at)
            VALUES (:id, :kind, :severity, :object_kind, :object_id, :message, :hint, :raised_at)
            ON CONFLICT (kind, object_id) WHERE cleared_at IS NULL
            DO UPDATE SET severity = excluded.severity, message = excluded.message, hint = excluded.hint""")
        .bind("id", Ids.newId("alert"))
        .bind("kind", kind)
        .bind("severity", severity)
        .bind("object_kind", objectKind)
        .bind("object_id", objectId)
        .bind("message", message)
        .bind("hint", hint)
        .bind("raised_at", Rows.millis(at))
        .execute(), v -> v.toException(operation));
    return active(kind, objectId).orElseThrow(() -> new StoreException("cannot " + operation + ": the alert vanished after it was written",
        "this is a bug in the store; retry"));
  }

  boolean clear(String kind, String objectId, Instant at) {
    return db.h.createUpdate("UPDATE alerts SET cleared_at = :at WHERE kind = :kind AND object_id = :object_id AND cleared_at IS NULL")
        .bind("at", Rows.millis(at))
        .bind("kind", kind)
        .bind("object_id", objectId)
        .execute() > 0;
  }

  Optional<Alert> active(String kind, String objectId) {
    return db.h.createQuery("SELECT * FROM alerts WHERE kind = :kind AND object_id = :object_id AND cleared_at IS NULL")
        .bind("kind", kind).bind("object_id", objectId).map(MAPPER).findOne();
  }

  Optional<Alert> byId(String id) {
    return db.h.createQuery("SELECT * FROM alerts WHERE id = :id").bind("id", id).map(MAPPER).findOne();
  }

  /** Newest first. */
  List<Alert> allActive() {
    return db.h.createQuery("SELECT * FROM alerts WHERE cleared_at IS NULL ORDER BY raised_at DESC, id DESC").map(MAPPER).list();
  }

  /** All alerts, active and cleared, newest first, one page after the alert {@code afterId}. */
  List<Alert> history(int limit, String afterId) {
    if (limit < 1) {
      throw new IllegalArgumentException("alert list limit must be at least 1, was " + limit);
    }
    Query query;
    if (afterId == null) {
      query = db.h.createQuery("SELECT * FROM alerts ORDER BY raised_at DESC, id DESC LIMIT :limit");
    } else {
      Alert cursor = byId(afterId).orElseThrow(() -> new NotFoundException("alert", afterId, "list the alerts after alert " + afterId));
      query = db.h.createQuery("""
              SELECT * FROM alerts WHERE raised_at < :cursor_at OR (raised_at = :cursor_at AND id < :cursor_id)
              ORDER BY raised_at DESC, id DESC LIMIT :limit""")
          .bind("cursor_at", Rows.millis(cursor.raisedAt()))
          .bind("cursor_id", afterId);
    }
    return query.bind("limit", limit).map(MAPPER).list();
  }

  /** Every alert about the object, newest first. */
  List<Alert> about(String objectId) {
    return db.h.createQuery("SELECT * FROM alerts WHERE object_id = :object_id ORDER BY raised_at DESC, id DESC")
        .bind("object_id", objectId).map(MAPPER).list();
  }
}
