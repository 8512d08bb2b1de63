package io.ferry.vault.store;

import java.util.List;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.statement.Query;

/** {@code audit_log}: append-only record of every API operation, ordered by {@code seq}. */
final class AuditTable {
  static final RowMapper<AuditEntry> MAPPER = (rs, ctx) -> new AuditEntry(
      rs.getLong("seq"), Rows.instant(rs, "at"), rs.getString("actor"), rs.getString("role"), rs.getString("action"),
      rs.getString("target"), rs.getString("outcome"), rs.getInt("status"), rs.getString("detail"));

  private final Db db;

  AuditTable(Db db) {
    this.db = db;
  }

  /** Appends the entry and returns it with its sequence number. */
  AuditEntry append(AuditEntry e) {
    String operation = "append " + e.action() + " by " + e.actor() + " to the audit log";
    long seq = db.guarded(() -> db.h.createUpdate("""
            INSERT INTO audit_log (at, actor, role, action, target, outcome, status, detail)
            VALUES (:at, :actor, :role, :action, :target, :outcome, :status, :detail)""")
        .bind("at", Rows.millis(e.at()))
        .bind("actor", e.actor())
        .bind("role", e.role())
        .bind("action", e.action())
        .bind("target", e.target())
        .bind("outcome", e.outcome())
        .bind("status", e.status())
        .bind("detail", e.detail())
        .executeAndReturnGeneratedKeys("seq")
        .mapTo(Long.class)
        .one(), v -> v.toException(operation));
    return new AuditEntry(seq, Rows.stored(e.at()), e.actor(), e.role(), e.action(), e.target(), e.outcome(), e.status(), e.detail());
  }

  /** Newest first; {@code afterSeq} (the last seq of the previous page) and {@code actor} may be null. */
  List<AuditEntry> list(int limit, Long afterSeq, String actor) {
    if (limit < 1) {
      throw new IllegalArgumentException("audit list limit must be at least 1, was " + limit);
    }
    String sql = "SELECT * FROM audit_log WHERE 1 = 1"
        + (afterSeq == null ? "" : " AND seq < :after_seq")
        + (actor == null ? "" : " AND actor = :actor")
        + " ORDER BY seq DESC LIMIT :limit";
    Query query = db.h.createQuery(sql).bind("limit", limit);
    if (afterSeq != null) {
      query.bind("after_seq", afterSeq.longValue());
    }
    if (actor != null) {
      query.bind("actor", actor);
    }
    return query.map(MAPPER).list();
  }
}
