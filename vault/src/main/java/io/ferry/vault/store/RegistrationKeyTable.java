package io.ferry.vault.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.mapper.RowMapper;

/** {@code registration_keys}: one-time keys agents register with, kept as SHA-256 hashes. */
final class RegistrationKeyTable {
  static final RowMapper<RegistrationKey> MAPPER = (rs, ctx) -> new RegistrationKey(
      rs.getString("id"), rs.getString("site_id"), rs.getString("key_hash"), Rows.instant(rs, "created_at"),
      Rows.instant(rs, "expires_at"), Rows.instant(rs, "used_at"), rs.getString("used_by_host"));

  private final Db db;
  private final SiteTable sites;

  RegistrationKeyTable(Db db, SiteTable sites) {
    this.db = db;
    this.sites = sites;
  }

  RegistrationKey create(String siteId, String keyHash, Instant expiresAt) {
    sites.require(siteId, "create a registration key");
    RegistrationKey key = new RegistrationKey(Ids.newId("key"), siteId, keyHash, db.now(), Rows.stored(expiresAt), null, null);
    db.guarded(() -> db.h.createUpdate("""
            INSERT INTO registration_keys (id, site_id, key_hash, created_at, expires_at)
            VALUES (:id, :site_id, :key_hash, :created_at, :expires_at)""")
        .bind("id", key.id())
        .bind("site_id", siteId)
        .bind("key_hash", keyHash)
        .bind("created_at", Rows.millis(key.createdAt()))
        .bind("expires_at", Rows.millis(key.expiresAt()))
        .execute(), v -> v.kind() == Violation.Kind.UNIQUE
            ? new ConflictException("cannot create a registration key for site " + siteId + ": a key with the same hash exists",
                "generate a new random secret")
            : v.toException("create a registration key for site " + siteId));
    return key;
  }

  /**
   * Marks the key used if it is unused and unexpired. The conditional update is atomic: of two
   * concurrent callers exactly one changes the row (PostgreSQL locks it; SQLite serializes writers).
   */
  Optional<RegistrationKey> consume(String keyHash, String hostId, Instant now) {
    int changed = db.h.createUpdate("""
            UPDATE registration_keys SET used_at = :now, used_by_host = :host
            WHERE key_hash = :key_hash AND used_at IS NULL AND expires_at > :now""")
        .bind("now", Rows.millis(now))
        .bind("host", hostId)
        .bind("key_hash", keyHash)
        .execute();
    if (changed == 0) {
      return Optional.empty();
    }
    return byHash(keyHash);
  }

  Optional<RegistrationKey> byHash(String keyHash) {
    return db.h.createQuery("SELECT * FROM registration_keys WHERE key_hash = :key_hash")
        .bind("key_hash", keyHash).map(MAPPER).findOne();
  }

  List<RegistrationKey> bySite(String siteId) {
    return db.h.createQuery("SELECT * FROM registration_keys WHERE site_id = :site_id ORDER BY created_at DESC, id DESC")
        .bind("site_id", siteId).map(MAPPER).list();
  }
}
