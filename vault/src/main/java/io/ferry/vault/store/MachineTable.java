package io.ferry.vault.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.statement.PreparedBatch;

/** {@code machines}: libvirt domains discovered on hosts, unique by (host, uuid). */
final class MachineTable {
  static final RowMapper<Machine> MAPPER = (rs, ctx) -> new Machine(
      rs.getString("id"), rs.getString("host_id"), rs.getString("uuid"), rs.getString("name"), rs.getString("power_state"),
      rs.getString("disks"), rs.getString("networks"), Rows.instant(rs, "discovered_at"), Rows.instant(rs, "last_seen_at"));

  private final Db db;
  private final HostTable hosts;

  MachineTable(Db db, HostTable hosts) {
    this.db = db;
    this.hosts = hosts;
  }

  /**
   * Inserts machines seen for the first time, refreshes the known ones and marks those no longer
   * reported {@link Machine#MISSING} (their rows, and whatever refers to them, are kept).
   */
  List<Machine> upsert(String hostId, List<DiscoveredMachine> seen, Instant now) {
    hosts.require(hostId, "record the machines of host " + hostId);
    if (!seen.isEmpty()) {
      PreparedBatch batch = db.h.prepareBatch("""
          INSERT INTO machines (id, host_id, uuid, name, power_state, disks, networks, discovered_at, last_seen_at)
          VALUES (:id, :host_id, :uuid, :name, :power_state, :disks, :networks, :now, :now)
          ON CONFLICT (host_id, uuid) DO UPDATE SET name = excluded.name, power_state = excluded.power_state,
            disks = excluded.disks, networks = excluded.networks, last_seen_at = excluded.last_seen_at""");
      for (DiscoveredMachine m : seen) {
        String what = "machine " + m.name() + " (" + m.uuid() + ") of host " + hostId;
        batch.bind("id", Ids.newId("machine"))
            .bind("host_id", hostId)
            .bind("uuid", m.uuid())
            .bind("name", m.name())
            .bind("power_state", m.powerState())
            .bind("disks", db.json.checked(m.disks() == null ? "[]" : m.disks(), "disks of " + what))
            .bind("networks", db.json.checked(m.networks() == null ? "[]" : m.networks(), "networks of " + what))
            .bind("now", Rows.millis(now))
            .add();
      }
      db.guarded(batch::execute, v -> v.toException("record the machines of host " + hostId));
    }
    var missing = db.h.createUpdate("UPDATE machines SET power_state = :missing WHERE host_id = :host_id"
            + (seen.isEmpty() ? "" : " AND uuid NOT IN (<uuids>)"))
        .bind("missing", Machine.MISSING)
        .bind("host_id", hostId);
    if (!seen.isEmpty()) {
      missing.bindList("uuids", seen.stream().map(DiscoveredMachine::uuid).toList());
    }
    missing.execute();
    return byHost(hostId);
  }

  Optional<Machine> byId(String id) {
    return db.h.createQuery("SELECT * FROM machines WHERE id = :id").bind("id", id).map(MAPPER).findOne();
  }

  List<Machine> all() {
    return db.h.createQuery("SELECT * FROM machines ORDER BY name, id").map(MAPPER).list();
  }

  List<Machine> byHost(String hostId) {
    return db.h.createQuery("SELECT * FROM machines WHERE host_id = :host_id ORDER BY name, id")
        .bind("host_id", hostId).map(MAPPER).list();
  }

  /** The machine of that name on the host; a present one wins over a missing one of the same name. */
  Optional<Machine> byHostAndName(String hostId, String name) {
    return db.h.createQuery("""
            SELECT * FROM machines WHERE host_id = :host_id AND name = :name
            ORDER BY CASE WHEN power_state = :missing THEN 1 ELSE 0 END, last_seen_at DESC, id LIMIT 1""")
        .bind("host_id", hostId).bind("name", name).bind("missing", Machine.MISSING).map(MAPPER).findOne();
  }

  void require(String id, String operation) {
    if (byId(id).isEmpty()) {
      throw new NotFoundException("machine", id, operation);
    }
  }
}
