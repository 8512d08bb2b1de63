package io.ferry.vault.store;

import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.mapper.RowMapper;

/** {@code pairings}: primary site → recovery site with a policy, a recovery host and a repository. */
final class PairingTable {
  static final RowMapper<Pairing> MAPPER = (rs, ctx) -> new Pairing(
      rs.getString("id"), rs.getString("name"), rs.getString("primary_site_id"), rs.getString("recovery_site_id"),
      rs.getString("policy_id"), rs.getString("recovery_host_id"), rs.getString("repository_name"),
      rs.getString("network_mapping"), rs.getString("encryption_key"), Rows.instant(rs, "created_at"));

  private final Db db;
  private final SiteTable sites;
  private final PolicyTable policies;
  private final HostTable hosts;

  PairingTable(Db db, SiteTable sites, PolicyTable policies, HostTable hosts) {
    this.db = db;
    this.sites = sites;
    this.policies = policies;
    this.hosts = hosts;
  }

  Pairing create(Pairing given) {
    String operation = "create pairing '" + given.name() + "'";
    sites.require(given.primarySiteId(), operation + " (primary site)");
    sites.require(given.recoverySiteId(), operation + " (recovery site)");
    policies.require(given.policyId(), operation);
    hosts.require(given.recoveryHostId(), operation + " (recovery host)");
    Pairing pairing = new Pairing(Ids.orNew(given.id(), "pairing"), given.name(), given.primarySiteId(), given.recoverySiteId(),
        given.policyId(), given.recoveryHostId(), given.repositoryName(),
        db.json.checked(given.networkMapping() == null ? "{}" : given.networkMapping(), "network mapping of pairing " + given.name()),
        given.encryptionKey(), given.createdAt() == null ? db.now() : Rows.stored(given.createdAt()));
    db.guarded(() -> db.h.createUpdate("""
            INSERT INTO pairings (id, name, primary_site_id, recovery_site_id, policy_id, recovery_host_id, repository_name,
              network_mapping, encryption_key, created_at)
            VALUES (:id, :name, :primary_site_id, :recovery_site_id, :policy_id, :recovery_host_id, :repository_name,
              :network_mapping, :encryption_key, :created_at)""")
        .bind("id", pairing.id())
        .bind("name", pairing.name())
        .bind("primary_site_id", pairing.primarySiteId())
        .bind("recovery_site_id", pairing.recoverySiteId())
        .bind("policy_id", pairing.policyId())
        .bind("recovery_host_id", pairing.recoveryHostId())
        .bind("repository_name", pairing.repositoryName())
        .bind("network_mapping", pairing.networkMapping())
        .bind("encryption_key", pairing.encryptionKey())
        .bind("created_at", Rows.millis(pairing.createdAt()))
        .execute(), v -> {
          if (v.kind() != Violation.Kind.UNIQUE) {
            return v.toException(operation);
          }
          Optional<Pairing> holder = byName(pairing.name());
          return holder.isPresent()
              ? new ConflictException("cannot " + operation + ": the name is taken by pairing " + holder.get().id(),
                  "choose another name, or use the existing pairing " + holder.get().id(), holder.get().id())
              : new ConflictException("cannot " + operation + ": pairing id " + pairing.id() + " is taken", "let the store choose the id", pairing.id());
        });
    return pairing;
  }

  /** Deletes the pairing unless machines are protected through it. */
  void delete(String id, List<ProtectedMachine> users) {
    String operation = "delete pairing " + id;
    if (byId(id).isEmpty()) {
      throw new NotFoundException("pairing", id, operation);
    }
    if (!users.isEmpty()) {
      List<String> ids = users.stream().map(ProtectedMachine::id).limit(10).toList();
      throw new ConflictException("cannot " + operation + ": " + users.size() + " protected machine(s) use it ("
          + String.join(", ", ids) + (users.size() > ids.size() ? ", ..." : "") + ")",
          "disable protection of those machines first", users.get(0).id());
    }
    db.guarded(() -> db.h.createUpdate("DELETE FROM pairings WHERE id = :id").bind("id", id).execute(),
        v -> v.toException(operation));
  }

  Optional<Pairing> byId(String id) {
    return db.h.createQuery("SELECT * FROM pairings WHERE id = :id").bind("id", id).map(MAPPER).findOne();
  }

  Optional<Pairing> byName(String name) {
    return db.h.createQuery("SELECT * FROM pairings WHERE name = :name").bind("name", name).map(MAPPER).findOne();
  }

  List<Pairing> all() {
    return db.h.createQuery("SELECT * FROM pairings ORDER BY name").map(MAPPER).list();
  }

  List<Pairing> byPolicy(String policyId) {
    return db.h.createQuery("SELECT * FROM pairings WHERE policy_id = :policy_id ORDER BY name")
        .bind("policy_id", policyId).map(MAPPER).list();
  }

  void require(String id, String operation) {
    if (byId(id).isEmpty()) {
      throw new NotFoundException("pairing", id, operation);
    }
  }
}
