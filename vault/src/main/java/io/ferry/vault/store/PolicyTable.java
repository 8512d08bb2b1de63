package io.ferry.vault.store;

import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.statement.Update;

/** {@code policies}: replication policies, unique by name, not deletable while pairings use them. */
final class PolicyTable {
  static final RowMapper<Policy> MAPPER = (rs, ctx) -> new Policy(
      rs.getString("id"), rs.getString("name"), rs.getInt("copy_frequency_s"), rs.getInt("retention_s"),
      rs.getInt("app_consistent_frequency_s"), rs.getString("compression"), rs.getInt("compression_level"),
      rs.getBoolean("encryption"), rs.getLong("bandwidth_limit_bps"), rs.getInt("rpo_threshold_s"),
      Rows.instant(rs, "created_at"), Rows.instant(rs, "updated_at"));

  private final Db db;

  PolicyTable(Db db) {
    this.db = db;
  }

  Policy create(Policy given) {
    Policy policy = new Policy(Ids.orNew(given.id(), "policy"), given.name(), given.copyFrequencySeconds(), given.retentionSeconds(),
        given.appConsistentFrequencySeconds(), given.compression(), given.compressionLevel(), given.encryption(),
        given.bandwidthLimitBps(), given.rpoThresholdSeconds(),
        given.createdAt() == null ? db.now() : Rows.stored(given.createdAt()),
        given.updatedAt() == null ? db.now() : Rows.stored(given.updatedAt()));
    db.guarded(() -> bind(db.h.createUpdate("""
            INSERT INTO policies (id, name, copy_frequency_s, retention_s, app_consistent_frequency_s, compression,
              compression_level, encryption, bandwidth_limit_bps, rpo_threshold_s, created_at, updated_at)
            VALUES (:id, :name, :copy_frequency_s, :retention_s, :app_consistent_frequency_s, :compression,
              :compression_level, :encryption, :bandwidth_limit_bps, :rpo_threshold_s, :created_at, :updated_at)"""), policy)
        .bind("created_at", Rows.millis(policy.createdAt()))
        .execute(), v -> conflict(v, policy, "create policy '" + policy.name() + "'"));
    return policy;
  }

  Policy update(Policy given) {
    String operation = "update policy " + given.id();
    Policy before = byId(given.id()).orElseThrow(() -> new NotFoundException("policy", given.id(), operation));
    Policy policy = new Policy(given.id(), given.name(), given.copyFrequencySeconds(), given.retentionSeconds(),
        given.appConsistentFrequencySeconds(), given.compression(), given.compressionLevel(), given.encryption(),
        given.bandwidthLimitBps(), given.rpoThresholdSeconds(), before.createdAt(), db.now());
    db.guarded(() -> bind(db.h.createUpdate("""
            UPDATE policies SET name = :name, copy_frequency_s = :copy_frequency_s, retention_s = :retention_s,
              app_consistent_frequency_s = :app_consistent_frequency_s, compression = :compression,
              compression_level = :compression_level, encryption = :encryption, bandwidth_limit_bps = :bandwidth_limit_bps,
              rpo_threshold_s = :rpo_threshold_s, updated_at = :updated_at
            WHERE id = :id"""), policy).execute(), v -> conflict(v, policy, operation));
    return policy;
  }

  private static Update bind(Update update, Policy p) {
    return update.bind("id", p.id())
        .bind("name", p.name())
        .bind("copy_frequency_s", p.copyFrequencySeconds())
        .bind("retention_s", p.retentionSeconds())
        .bind("app_consistent_frequency_s", p.appConsistentFrequencySeconds())
        .bind("compression", p.compression())
        .bind("compression_level", p.compressionLevel())
        .bind("encryption", p.encryption())
        .bind("bandwidth_limit_bps", p.bandwidthLimitBps())
        .bind("rpo_threshold_s", p.rpoThresholdSeconds())
        .bind("updated_at", Rows.millis(p.updatedAt()));
  }

  private StoreException conflict(Violation v, Policy policy, String operation) {
    if (v.kind() != Violation.Kind.UNIQUE) {
      return v.toException(operation);
    }
    Optional<Policy> holder = byName(policy.name()).filter(p -> !p.id().equals(policy.id()));
    if (holder.isPresent()) {
      return new ConflictException("cannot " + operation + ": the name '" + policy.name() + "' is taken by policy " + holder.get().id(),
          "choose another name, or use the existing policy " + holder.get().id(), holder.get().id());
    }
    return new ConflictException("cannot " + operation + ": policy id " + policy.id() + " is taken",
        "let the store choose the id", policy.id());
  }

  /** Deletes the policy unless pairings use it. */
  void delete(String id, List<Pairing> users) {
    String operation = "delete policy " + id;
    if (byId(id).isEmpty()) {
      throw new NotFoundException("policy", id, operation);
    }
    if (!users.isEmpty()) {
      List<String> names = users.stream().map(p -> p.name() + " (" + p.id() + ")").toList();
      throw new ConflictException("cannot " + operation + ": it is used by pairing(s) " + String.join(", ", names),
          "give those pairings another policy or delete them first", users.get(0).id());
    }
    db.guarded(() -> db.h.createUpdate("DELETE FROM policies WHERE id = :id").bind("id", id).execute(),
        v -> v.toException(operation));
  }

  Optional<Policy> byId(String id) {
    return db.h.createQuery("SELECT * FROM policies WHERE id = :id").bind("id", id).map(MAPPER).findOne();
  }

  Optional<Policy> byName(String name) {
    return db.h.createQuery("SELECT * FROM policies WHERE name = :name").bind("name", name).map(MAPPER).findOne();
  }

  List<Policy> all() {
    return db.h.createQuery("SELECT * FROM policies ORDER BY name").map(MAPPER).list();
  }

  void require(String id, String operation) {
    if (byId(id).isEmpty()) {
      throw new NotFoundException("policy", id, operation);
    }
  }
}
