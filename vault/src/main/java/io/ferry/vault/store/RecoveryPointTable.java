package io.ferry.vault.store;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.mapper.RowMapper;

/** {@code recovery_points}: the vault's catalogue of the points kept in repositories. */
final class RecoveryPointTable {
  private static final int IN_LIST_CHUNK = 500;
  private static final String LIVE = "state IN ('" + RecoveryPoint.AVAILABLE + "', '" + RecoveryPoint.EXPIRING + "')";
  static final RowMapper<RecoveryPoint> MAPPER = (rs, ctx) -> new RecoveryPoint(
      rs.getString("id"), rs.getString("protected_machine_id"), Rows.instant(rs, "created_at"), rs.getString("consistency"),
      rs.getString("mode"), rs.getString("parent_id"), rs.getLong("bytes_read"), rs.getLong("bytes_stored"),
      rs.getString("disks"), rs.getString("state"), Rows.instant(rs, "deleted_at"), rs.getString("repository"));

  private final Db db;
  private final ProtectedMachineTable protectedMachines;

  RecoveryPointTable(Db db, ProtectedMachineTable protectedMachines) {
    this.db = db;
    this.protectedMachines = protectedMachines;
  }

  /** Inserts the point; an existing id is left as it is. True if the row is new. */
  boolean insert(RecoveryPoint p) {
    String operation = "record recovery point " + p.id();
    protectedMachines.require(p.protectedMachineId(), operation);
    int inserted = db.guarded(() -> db.h.createUpdate("""
            INSERT INTO recovery_points (id, protected_machine_id, created_at, consistency, mode, parent_id, bytes_read,
              bytes_stored, disks, state, deleted_at, repository)
            VALUES (:id, :protected_machine_id, :created_at, :consistency, :mode, :parent_id, :bytes_read,
              :bytes_stored, :disks, :state, :deleted_at, :repository)
            ON CONFLICT (id) DO NOTHING""")
        .bind("id", p.id())
        .bind("protected_machine_id", p.protectedMachineId())
        .bind("created_at", Rows.millis(p.createdAt()))
        .bind("consistency", p.consistency())
        .bind("mode", p.mode())
        .bind("parent_id", p.parentId())
        .bind("bytes_read", p.bytesRead())
        .bind("bytes_stored", p.bytesStored())
        .bind("disks", db.json.checked(p.disks() == null ? "[]" : p.disks(), "disks of recovery point " + p.id()))
        .bind("state", p.state() == null ? RecoveryPoint.AVAILABLE : p.state())
        .bind("deleted_at", Rows.millis(p.deletedAt()))
        .bind("repository", p.repository())
        .execute(), v -> v.toException(operation));
    return inserted == 1;
  }

  List<RecoveryPoint> live(String protectedMachineId) {
    return db.h.createQuery("SELECT * FROM recovery_points WHERE protected_machine_id = :pm AND " + LIVE
            + " ORDER BY created_at DESC, id DESC")
        .bind("pm", protectedMachineId).map(MAPPER).list();
  }

  Optional<RecoveryPoint> latest(String protectedMachineId) {
    return db.h.createQuery("SELECT * FROM recovery_points WHERE protected_machine_id = :pm AND state = :available"
            + " ORDER BY created_at DESC, id DESC LIMIT 1")
        .bind("pm", protectedMachineId).bind("available", RecoveryPoint.AVAILABLE).map(MAPPER).findOne();
  }

  Optional<RecoveryPoint> byId(String id) {
    return db.h.createQuery("SELECT * FROM recovery_points WHERE id = :id").bind("id", id).map(MAPPER).findOne();
  }

  /** AVAILABLE → EXPIRING; returns how many changed. */
  int markExpiring(List<String> ids) {
    int changed = 0;
    for (List<String> chunk : chunks(ids)) {
      // in the same statement: a point a recovery VM runs from is never expired, even one chosen a moment ago
      changed += db.h.createUpdate("UPDATE recovery_points SET state = :expiring WHERE state = :available AND id IN (<ids>)"
              + " AND id NOT IN (SELECT point_id FROM recovery_vms)")
          .bind("expiring", RecoveryPoint.EXPIRING)
          .bind("available", RecoveryPoint.AVAILABLE)
          .bindList("ids", chunk)
          .execute();
    }
    return changed;
  }

  /** Oldest first: the order retention deletes them in. */
  List<RecoveryPoint> expiring(String protectedMachineId) {
    return db.h.createQuery("SELECT * FROM recovery_points WHERE protected_machine_id = :pm AND state = :expiring"
            + " ORDER BY created_at, id")
        .bind("pm", protectedMachineId).bind("expiring", RecoveryPoint.EXPIRING).map(MAPPER).list();
  }

  /** Any state → DELETED (once); returns how many changed. */
  int markDeleted(List<String> ids, Instant at) {
    int changed = 0;
    for (List<String> chunk : chunks(ids)) {
      changed += db.h.createUpdate("UPDATE recovery_points SET state = :deleted, deleted_at = :at WHERE state <> :deleted AND id IN (<ids>)")
          .bind("deleted", RecoveryPoint.DELETED)
          .bind("at", Rows.millis(at))
          .bindList("ids", chunk)
          .execute();
    }
    return changed;
  }

  long count(String protectedMachineId) {
    return db.h.createQuery("SELECT COUNT(*) FROM recovery_points WHERE protected_machine_id = :pm AND " + LIVE)
        .bind("pm", protectedMachineId).mapTo(Long.class).one();
  }

  private static List<List<String>> chunks(List<String> ids) {
    List<String> distinct = ids.stream().distinct().toList();
    List<List<String>> chunks = new ArrayList<>();
    for (int i = 0; i < distinct.size(); i += IN_LIST_CHUNK) {
      chunks.add(distinct.subList(i, Math.min(distinct.size(), i + IN_LIST_CHUNK)));
    }
    return chunks;
  }
}
