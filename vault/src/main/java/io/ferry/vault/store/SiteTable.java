package io.ferry.vault.store;

import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.mapper.RowMapper;

/** {@code sites}: groups of hosts, unique by name. */
final class SiteTable {
  static final RowMapper<Site> MAPPER = (rs, ctx) ->
      new Site(rs.getString("id"), rs.getString("name"), rs.getString("description"), Rows.instant(rs, "created_at"));

  private final Db db;

  SiteTable(Db db) {
    this.db = db;
  }

  Site create(String name, String description) {
    Site site = new Site(Ids.newId("site"), name, description, db.now());
    db.guarded(() -> db.h.createUpdate("INSERT INTO sites (id, name, description, created_at) VALUES (:id, :name, :description, :created_at)")
        .bind("id", site.id())
        .bind("name", name)
        .bind("description", description)
        .bind("created_at", Rows.millis(site.createdAt()))
        .execute(), v -> {
          String holder = byName(name).map(Site::id).orElse(null);
          return holder == null ? v.toException("create site '" + name + "'")
              : new ConflictException("cannot create site '" + name + "': the name is taken by site " + holder,
                  "choose another name, or use the existing site " + holder, holder);
        });
    return site;
  }

  Optional<Site> byId(String id) {
    return db.h.createQuery("SELECT * FROM sites WHERE id = :id").bind("id", id).map(MAPPER).findOne();
  }

  Optional<Site> byName(String name) {
    return db.h.createQuery("SELECT * FROM sites WHERE name = :name").bind("name", name).map(MAPPER).findOne();
  }

  List<Site> all() {
    return db.h.createQuery("SELECT * FROM sites ORDER BY name").map(MAPPER).list();
  }

  /** Throws {@link NotFoundException} unless the site exists. */
  void require(String id, String operation) {
    if (byId(id).isEmpty()) {
      throw new NotFoundException("site", id, operation);
    }
  }
}
