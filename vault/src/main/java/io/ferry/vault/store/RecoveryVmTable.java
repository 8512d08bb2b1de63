package io.ferry.vault.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.mapper.RowMapper;

/** {@code recovery_vms}: the VMs recovery agents run from points (drills and failovers). */
final class RecoveryVmTable {
  static final String KIND = "recovery VM";
  static final RowMapper<RecoveryVm> MAPPER = (rs, ctx) -> new RecoveryVm(
      rs.getString("id"), rs.getString("protected_machine_id"), rs.getString("kind"), rs.getString("host_id"),
      rs.getString("point_id"), rs.getString("domain_name"), rs.getString("desired"), rs.getString("network"),
      rs.getInt("create_network") != 0, rs.getInt("keep_mac") != 0, Rows.instant(rs, "created_at"),
      Rows.instant(rs, "updated_at"));

  private final Db db;
  private final ProtectedMachineTable protectedMachines;

  RecoveryVmTable(Db db, ProtectedMachineTable protectedMachines) {
    this.db = db;
    this.protectedMachines = protectedMachines;
  }

  RecoveryVm create(RecoveryVm vm) {
    String operation = "create " + KIND + " " + vm.domainName();
    protectedMachines.require(vm.protectedMachineId(), operation);
    Instant now = db.now();
    RecoveryVm stored = new RecoveryVm(Ids.orNew(vm.id(), "rvm"), vm.protectedMachineId(), vm.kind(), vm.hostId(),
        vm.pointId(), vm.domainName(), vm.desired(), vm.network(), vm.createNetwork(), vm.keepMac(), now, now);
    db.guarded(() -> db.h.createUpdate("""
            INSERT INTO recovery_vms (id, protected_machine_id, kind, host_id, point_id, domain_name, desired, network,
              create_network, keep_mac, created_at, updated_at)
            VALUES (:id, :pm, :kind, :host, :point, :domain, :desired, :network, :create_network, :keep_mac, :now, :now)""")
        .bind("id", stored.id())
        .bind("pm", stored.protectedMachineId())
        .bind("kind", stored.kind())
        .bind("host", stored.hostId())
        .bind("point", stored.pointId())
        .bind("domain", stored.domainName())
        .bind("desired", stored.desired())
        .bind("network", stored.network())
        .bind("create_network", stored.createNetwork() ? 1 : 0)
        .bind("keep_mac", stored.keepMac() ? 1 : 0)
        .bind("now", Rows.millis(now))
        .execute(), v -> v.kind() == Violation.Kind.UNIQUE
            ? new ConflictException("cannot " + operation + ": host " + vm.hostId() + " already runs a recovery VM named "
                + vm.domainName(), "choose another name for the recovery VM", null)
            : v.toException(operation));
    return stored;
  }

  /** Changes desired state and point; false if the row is gone. */
  boolean update(String id, String desired, String pointId) {
    return db.h.createUpdate("UPDATE recovery_vms SET desired = :desired, point_id = :point, updated_at = :now WHERE id = :id")
        .bind("desired", desired).bind("point", pointId).bind("now", Rows.millis(db.now())).bind("id", id).execute() == 1;
  }

  void delete(String id) {
    db.h.createUpdate("DELETE FROM recovery_vms WHERE id = :id").bind("id", id).execute();
  }

  Optional<RecoveryVm> byId(String id) {
    return db.h.createQuery("SELECT * FROM recovery_vms WHERE id = :id").bind("id", id).map(MAPPER).findOne();
  }

  List<RecoveryVm> byHost(String hostId) {
    return db.h.createQuery("SELECT * FROM recovery_vms WHERE host_id = :h ORDER BY created_at, id").bind("h", hostId)
        .map(MAPPER).list();
  }

  List<RecoveryVm> byMachine(String pmId) {
    return db.h.createQuery("SELECT * FROM recovery_vms WHERE protected_machine_id = :pm ORDER BY created_at, id")
        .bind("pm", pmId).map(MAPPER).list();
  }
}
