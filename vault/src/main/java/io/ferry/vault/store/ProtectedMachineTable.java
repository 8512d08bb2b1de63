package io.ferry.vault.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.statement.Update;

/** {@code protected_machines}: machines under replication, their lifecycle state, health and progress. */
final class ProtectedMachineTable {
  static final String KIND = "protected machine";
  static final RowMapper<ProtectedMachine> MAPPER = (rs, ctx) -> new ProtectedMachine(
      rs.getString("id"), rs.getString("machine_id"), rs.getString("pairing_id"), rs.getString("state"),
      Rows.instant(rs, "state_changed_at"), rs.getString("health"), rs.getString("health_reason"),
      rs.getString("latest_point_id"), Rows.instant(rs, "latest_point_at"), rs.getString("last_error"),
      rs.getString("replication"), Rows.instant(rs, "created_at"), Rows.instant(rs, "updated_at"), rs.getInt("version"),
      rs.getString("test_state"), rs.getString("direction"), rs.getString("active_host_id"), rs.getString("active_domain"),
      rs.getString("standby_domain"));

  private final Db db;
  private final MachineTable machines;
  private final PairingTable pairings;

  ProtectedMachineTable(Db db, MachineTable machines, PairingTable pairings) {
    this.db = db;
    this.machines = machines;
    this.pairings = pairings;
  }

  ProtectedMachine create(String machineId, String pairingId, String state) {
    String operation = "protect machine " + machineId;
    machines.require(machineId, operation);
    pairings.require(pairingId, operation);
    Instant now = db.now();
    ProtectedMachine pm = new ProtectedMachine(Ids.newId("pm"), machineId, pairingId, state, now, "UNKNOWN", null, null, null,
        null, null, now, now, 0, "NONE", ProtectedMachine.FORWARD, null, null, null);
    db.guarded(() -> db.h.createUpdate("""
            INSERT INTO protected_machines (id, machine_id, pairing_id, state, state_changed_at, health, created_at, updated_at, version)
            VALUES (:id, :machine_id, :pairing_id, :state, :now, :health, :now, :now, 0)""")
        .bind("id", pm.id())
        .bind("machine_id", machineId)
        .bind("pairing_id", pairingId)
        .bind("state", state)
        .bind("health", pm.health())
        .bind("now", Rows.millis(now))
        .execute(), v -> {
          Optional<ProtectedMachine> existing = byMachine(machineId);
          return v.kind() == Violation.Kind.UNIQUE && existing.isPresent()
              ? new ConflictException("cannot " + operation + ": it is already protected as " + existing.get().id()
                  + " (state " + existing.get().state() + ")", "work with the existing protected machine", existing.get().id())
              : v.toException(operation);
        });
    return pm;
  }

  /** Optimistic: changes the state only if {@code version} is still {@code expectedVersion}, and bumps it. */
  boolean updateState(String id, int expectedVersion, String newState, Instant at) {
    int changed = db.h.createUpdate("""
            UPDATE protected_machines SET state = :state, state_changed_at = :at, updated_at = :now, version = version + 1
            WHERE id = :id AND version = :version""")
        .bind("state", newState)
        .bind("at", Rows.millis(at))
        .bind("now", Rows.millis(db.now()))
        .bind("id", id)
        .bind("version", expectedVersion)
        .execute();
    if (changed == 0) {
      require(id, "change the state of " + KIND + " " + id + " to " + newState);
    }
    return changed == 1;
  }

  /** Optimistic, like {@link #updateState}: changes the test-failover state and bumps the version. */
  boolean updateTestState(String id, int expectedVersion, String newTestState) {
    int changed = db.h.createUpdate("""
            UPDATE protected_machines SET test_state = :test, updated_at = :now, version = version + 1
            WHERE id = :id AND version = :version""")
        .bind("test", newTestState)
        .bind("now", Rows.millis(db.now()))
        .bind("id", id)
        .bind("version", expectedVersion)
        .execute();
    if (changed == 0) {
      require(id, "change the test-failover state of " + KIND + " " + id + " to " + newTestState);
    }
    return changed == 1;
  }

  void updateDirection(String id, String direction, String activeHostId, String activeDomain, String standbyDomain) {
    update(id, "set the direction of " + KIND + " " + id,
        "direction = :direction, active_host_id = :host, active_domain = :domain, standby_domain = :standby",
        u -> u.bind("direction", direction).bind("host", activeHostId).bind("domain", activeDomain).bind("standby", standbyDomain));
  }

  void updateHealth(String id, String health, String reason) {
    String operation = "set the health of " + KIND + " " + id + " to " + health;
    update(id, operation, "health = :health, health_reason = :reason", u -> u.bind("health", health).bind("reason", reason));
  }

  void updateReplication(String id, String replicationJson, String lastError) {
    String json = db.json.checked(replicationJson, "replication progress of " + KIND + " " + id);
    update(id, "record the replication progress of " + KIND + " " + id, "replication = :replication, last_error = :last_error",
        u -> u.bind("replication", json).bind("last_error", lastError));
  }

  void updateLatestPoint(String id, String pointId, Instant at) {
    update(id, "record the latest point of " + KIND + " " + id, "latest_point_id = :point_id, latest_point_at = :point_at",
        u -> u.bind("point_id", pointId).bind("point_at", Rows.millis(at)));
  }

  private void update(String id, String operation, String assignments, UnaryOperator<Update> binder) {
    int changed = db.guarded(() -> binder.apply(db.h.createUpdate("UPDATE protected_machines SET " + assignments
            + ", updated_at = :now WHERE id = :id"))
        .bind("now", Rows.millis(db.now()))
        .bind("id", id)
        .execute(), v -> v.toException(operation));
    if (changed == 0) {
      throw new NotFoundException(KIND, id, operation);
    }
  }

  /** Deletes the protected machine and the vault's records of its recovery points. */
  void delete(String id) {
    String operation = "delete " + KIND + " " + id;
    require(id, operation);
    db.guarded(() -> {
      db.h.createUpdate("DELETE FROM recovery_points WHERE protected_machine_id = :id").bind("id", id).execute();
      db.h.createUpdate("DELETE FROM recovery_vms WHERE protected_machine_id = :id").bind("id", id).execute();
      return db.h.createUpdate("DELETE FROM protected_machines WHERE id = :id").bind("id", id).execute();
    }, v -> v.toException(operation));
  }

  Optional<ProtectedMachine> byId(String id) {
    return db.h.createQuery("SELECT * FROM protected_machines WHERE id = :id").bind("id", id).map(MAPPER).findOne();
  }

  Optional<ProtectedMachine> byMachine(String machineId) {
    return db.h.createQuery("SELECT * FROM protected_machines WHERE machine_id = :machine_id")
        .bind("machine_id", machineId).map(MAPPER).findOne();
  }

  List<ProtectedMachine> all() {
    return db.h.createQuery("SELECT * FROM protected_machines ORDER BY created_at, id").map(MAPPER).list();
  }

  List<ProtectedMachine> byPairing(String pairingId) {
    return db.h.createQuery("SELECT * FROM protected_machines WHERE pairing_id = :pairing_id ORDER BY created_at, id")
        .bind("pairing_id", pairingId).map(MAPPER).list();
  }

  void require(String id, String operation) {
    if (byId(id).isEmpty()) {
      throw new NotFoundException(KIND, id, operation);
    }
  }
}
