package io.ferry.vault.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.mapper.RowMapper;

/** {@code hosts}: registered KVM hosts and what their last heartbeat said. */
final class HostTable {
  static final RowMapper<Host> MAPPER = (rs, ctx) -> new Host(
      rs.getString("id"), rs.getString("site_id"), rs.getString("name"), rs.getString("data_address"),
      rs.getString("cert_fingerprint"), Rows.instant(rs, "registered_at"), Rows.instant(rs, "last_heartbeat_at"),
      rs.getString("agent_version"), rs.getString("inventory"));

  private final Db db;
  private final SiteTable sites;

  HostTable(Db db, SiteTable sites) {
    this.db = db;
    this.sites = sites;
  }

  Host create(Host given) {
    String operation = "create host '" + given.name() + "'";
    sites.require(given.siteId(), operation);
    Host host = new Host(Ids.orNew(given.id(), "host"), given.siteId(), given.name(), given.dataAddress(), given.certFingerprint(),
        given.registeredAt() == null ? db.now() : Rows.stored(given.registeredAt()), Rows.stored(given.lastHeartbeatAt()),
        given.agentVersion(), db.json.checked(given.inventory(), "inventory of host " + given.name()));
    db.guarded(() -> db.h.createUpdate("""
            INSERT INTO hosts (id, site_id, name, data_address, cert_fingerprint, registered_at, last_heartbeat_at, agent_version, inventory)
            VALUES (:id, :site_id, :name, :data_address, :cert_fingerprint, :registered_at, :last_heartbeat_at, :agent_version, :inventory)""")
        .bind("id", host.id())
        .bind("site_id", host.siteId())
        .bind("name", host.name())
        .bind("data_address", host.dataAddress())
        .bind("cert_fingerprint", host.certFingerprint())
        .bind("registered_at", Rows.millis(host.registeredAt()))
        .bind("last_heartbeat_at", Rows.millis(host.lastHeartbeatAt()))
        .bind("agent_version", host.agentVersion())
        .bind("inventory", host.inventory())
        .execute(), v -> v.kind() == Violation.Kind.UNIQUE
            ? new ConflictException("cannot " + operation + ": host id " + host.id() + " is taken", "let the store choose the id", host.id())
            : v.toException(operation));
    return host;
  }

  Optional<Host> byId(String id) {
    return db.h.createQuery("SELECT * FROM hosts WHERE id = :id").bind("id", id).map(MAPPER).findOne();
  }

  List<Host> all() {
    return db.h.createQuery("SELECT * FROM hosts ORDER BY name, id").map(MAPPER).list();
  }

  List<Host> bySite(String siteId) {
    return db.h.createQuery("SELECT * FROM hosts WHERE site_id = :site_id ORDER BY name, id").bind("site_id", siteId).map(MAPPER).list();
  }

  /** Null arguments keep what is stored. */
  Host heartbeat(String hostId, Instant at, String agentVersion, String dataAddress, String inventoryJson) {
    String inventory = db.json.checked(inventoryJson, "inventory of host " + hostId);
    int changed = db.h.createUpdate("""
            UPDATE hosts SET last_heartbeat_at = :at,
              agent_version = COALESCE(:agent_version, agent_version),
              data_address = COALESCE(:data_address, data_address),
              inventory = COALESCE(:inventory, inventory)
            WHERE id = :id""")
        .bind("at", Rows.millis(at))
        .bind("agent_version", agentVersion)
        .bind("data_address", dataAddress)
        .bind("inventory", inventory)
        .bind("id", hostId)
        .execute();
    if (changed == 0) {
      throw new NotFoundException("host", hostId, "record a heartbeat of host " + hostId);
    }
    return byId(hostId).orElseThrow();
  }

  void require(String id, String operation) {
    if (byId(id).isEmpty()) {
      throw new NotFoundException("host", id, operation);
    }
  }
}
