package io.ferry.vault.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.jdbi.v3.core.JdbiException;

/** The operations of one transaction: each call goes to the table that owns it. */
final class HandleTx implements VaultStore.Tx {
  private final Vendor vendor;
  private final SiteTable sites;
  private final RegistrationKeyTable keys;
  private final HostTable hosts;
  private final MachineTable machines;
  private final PolicyTable policies;
  private final PairingTable pairings;
  private final ProtectedMachineTable protectedMachines;
  private final RecoveryPointTable points;
  private final RecoveryVmTable recoveryVms;
  private final JobTable jobs;
  private final AlertTable alerts;
  private final UserTable users;
  private final TokenTable tokens;
  private final AuditTable audit;
  private final IdempotencyTable idempotency;

  HandleTx(Db db) {
    this.vendor = db.vendor;
    this.sites = new SiteTable(db);
    this.keys = new RegistrationKeyTable(db, sites);
    this.hosts = new HostTable(db, sites);
    this.machines = new MachineTable(db, hosts);
    this.policies = new PolicyTable(db);
    this.pairings = new PairingTable(db, sites, policies, hosts);
    this.protectedMachines = new ProtectedMachineTable(db, machines, pairings);
    this.points = new RecoveryPointTable(db, protectedMachines);
    this.recoveryVms = new RecoveryVmTable(db, protectedMachines);
    this.jobs = new JobTable(db);
    this.alerts = new AlertTable(db);
    this.users = new UserTable(db);
    this.tokens = new TokenTable(db, users);
    this.audit = new AuditTable(db);
    this.idempotency = new IdempotencyTable(db);
  }

  private <T> T run(String operation, Supplier<T> body) {
    try {
      return body.get();
    } catch (JdbiException e) {
      throw Errors.translate(e, operation, vendor);
    }
  }

  private void exec(String operation, Runnable body) {
    run(operation, () -> {
      body.run();
      return null;
    });
  }

  // ---- sites

  @Override
  public Site createSite(String name, String description) {
    return run("create site '" + name + "'", () -> sites.create(name, description));
  }

  @Override
  public Optional<Site> site(String id) {
    return run("read site " + id, () -> sites.byId(id));
  }

  @Override
  public Optional<Site> siteByName(String name) {
    return run("read site '" + name + "'", () -> sites.byName(name));
  }

  @Override
  public List<Site> sites() {
    return run("list sites", sites::all);
  }

  // ---- registration keys

  @Override
  public RegistrationKey createRegistrationKey(String siteId, String keyHash, Instant expiresAt) {
    return run("create a registration key for site " + siteId, () -> keys.create(siteId, keyHash, expiresAt));
  }

  @Override
  public Optional<RegistrationKey> consumeRegistrationKey(String keyHash, String hostId, Instant now) {
    return run("consume a registration key for host " + hostId, () -> keys.consume(keyHash, hostId, now));
  }

  @Override
  public List<RegistrationKey> registrationKeys(String siteId) {
    return run("list the registration keys of site " + siteId, () -> keys.bySite(siteId));
  }

  // ---- hosts

  @Override
  public Host createHost(Host host) {
    return run("create host '" + host.name() + "'", () -> hosts.create(host));
  }

  @Override
  public Optional<Host> host(String id) {
    return run("read host " + id, () -> hosts.byId(id));
  }

  @Override
  public List<Host> hosts() {
    return run("list hosts", hosts::all);
  }

  @Override
  public List<Host> hostsBySite(String siteId) {
    return run("list the hosts of site " + siteId, () -> hosts.bySite(siteId));
  }

  @Override
  public Host recordHeartbeat(String hostId, Instant at, String agentVersion, String dataAddress, String inventoryJson) {
    return run("record a heartbeat of host " + hostId, () -> hosts.heartbeat(hostId, at, agentVersion, dataAddress, inventoryJson));
  }

  // ---- machines

  @Override
  public List<Machine> upsertMachines(String hostId, List<DiscoveredMachine> seen, Instant now) {
    return run("record the machines of host " + hostId, () -> machines.upsert(hostId, seen, now));
  }

  @Override
  public Optional<Machine> machine(String id) {
    return run("read machine " + id, () -> machines.byId(id));
  }

  @Override
  public List<Machine> machines() {
    return run("list machines", machines::all);
  }

  @Override
  public List<Machine> machinesByHost(String hostId) {
    return run("list the machines of host " + hostId, () -> machines.byHost(hostId));
  }

  @Override
  public Optional<Machine> machineByHostAndName(String hostId, String name) {
    return run("read machine '" + name + "' of host " + hostId, () -> machines.byHostAndName(hostId, name));
  }

  // ---- policies

  @Override
  public Policy createPolicy(Policy policy) {
    return run("create policy '" + policy.name() + "'", () -> policies.create(policy));
  }

  @Override
  public Optional<Policy> policy(String id) {
    return run("read policy " + id, () -> policies.byId(id));
  }

  @Override
  public Optional<Policy> policyByName(String name) {
    return run("read policy '" + name + "'", () -> policies.byName(name));
  }

  @Override
  public List<Policy> policies() {
    return run("list policies", policies::all);
  }

  @Override
  public Policy updatePolicy(Policy policy) {
    return run("update policy " + policy.id(), () -> policies.update(policy));
  }

  @Override
  public void deletePolicy(String id) {
    exec("delete policy " + id, () -> policies.delete(id, pairings.byPolicy(id)));
  }

  // ---- pairings

  @Override
  public Pairing createPairing(Pairing pairing) {
    return run("create pairing '" + pairing.name() + "'", () -> pairings.create(pairing));
  }

  @Override
  public Optional<Pairing> pairing(String id) {
    return run("read pairing " + id, () -> pairings.byId(id));
  }

  @Override
  public Optional<Pairing> pairingByName(String name) {
    return run("read pairing '" + name + "'", () -> pairings.byName(name));
  }

  @Override
  public List<Pairing> pairings() {
    return run("list pairings", pairings::all);
  }

  @Override
  public List<Pairing> pairingsByPolicy(String policyId) {
    return run("list the pairings of policy " + policyId, () -> pairings.byPolicy(policyId));
  }

  @Override
  public void deletePairing(String id) {
    exec("delete pairing " + id, () -> pairings.delete(id, protectedMachines.byPairing(id)));
  }

  // ---- protected machines

  @Override
  public ProtectedMachine createProtectedMachine(String machineId, String pairingId, String state) {
    return run("protect machine " + machineId, () -> protectedMachines.create(machineId, pairingId, state));
  }

  @Override
  public Optional<ProtectedMachine> protectedMachine(String id) {
    return run("read protected machine " + id, () -> protectedMachines.byId(id));
  }

  @Override
  public Optional<ProtectedMachine> protectedMachineByMachine(String machineId) {
    return run("read the protected machine of machine " + machineId, () -> protectedMachines.byMachine(machineId));
  }

  @Override
  public List<ProtectedMachine> protectedMachines() {
    return run("list protected machines", protectedMachines::all);
  }

  @Override
  public List<ProtectedMachine> protectedMachinesByPairing(String pairingId) {
    return run("list the protected machines of pairing " + pairingId, () -> protectedMachines.byPairing(pairingId));
  }

  @Override
  public boolean updateState(String id, int expectedVersion, String newState, Instant at) {
    return run("change the state of protected machine " + id, () -> protectedMachines.updateState(id, expectedVersion, newState, at));
  }

  @Override
  public boolean updateTestState(String id, int expectedVersion, String newTestState) {
    return run("change the test-failover state of protected machine " + id,
        () -> protectedMachines.updateTestState(id, expectedVersion, newTestState));
  }

  @Override
  public void updateDirection(String id, String direction, String activeHostId, String activeDomain, String standbyDomain) {
    exec("set the direction of protected machine " + id,
        () -> protectedMachines.updateDirection(id, direction, activeHostId, activeDomain, standbyDomain));
  }

  // ---- recovery VMs

  @Override
  public RecoveryVm createRecoveryVm(RecoveryVm vm) {
    return run("create recovery VM " + vm.domainName(), () -> recoveryVms.create(vm));
  }

  @Override
  public Optional<RecoveryVm> recoveryVm(String id) {
    return run("read recovery VM " + id, () -> recoveryVms.byId(id));
  }

  @Override
  public List<RecoveryVm> recoveryVmsByHost(String hostId) {
    return run("list the recovery VMs of host " + hostId, () -> recoveryVms.byHost(hostId));
  }

  @Override
  public List<RecoveryVm> recoveryVmsByMachine(String protectedMachineId) {
    return run("list the recovery VMs of protected machine " + protectedMachineId, () -> recoveryVms.byMachine(protectedMachineId));
  }

  @Override
  public boolean updateRecoveryVm(String id, String desired, String pointId) {
    return run("update recovery VM " + id, () -> recoveryVms.update(id, desired, pointId));
  }

  @Override
  public void deleteRecoveryVm(String id) {
    exec("delete recovery VM " + id, () -> recoveryVms.delete(id));
  }

  @Override
  public void updateHealth(String id, String health, String reason) {
    exec("set the health of protected machine " + id, () -> protectedMachines.updateHealth(id, health, reason));
  }

  @Override
  public void updateReplication(String id, String replicationJson, String lastError) {
    exec("record the replication of protected machine " + id, () -> protectedMachines.updateReplication(id, replicationJson, lastError));
  }

  @Override
  public void updateLatestPoint(String id, String pointId, Instant at) {
    exec("record the latest point of protected machine " + id, () -> protectedMachines.updateLatestPoint(id, pointId, at));
  }

  @Override
  public void deleteProtectedMachine(String id) {
    exec("delete protected machine " + id, () -> protectedMachines.delete(id));
  }

  // ---- recovery points

  @Override
  public boolean insertPoint(RecoveryPoint point) {
    return run("record recovery point " + point.id(), () -> points.insert(point));
  }

  @Override
  public List<RecoveryPoint> points(String protectedMachineId) {
    return run("list the points of protected machine " + protectedMachineId, () -> points.live(protectedMachineId));
  }

  @Override
  public Optional<RecoveryPoint> latestPoint(String protectedMachineId) {
    return run("read the latest point of protected machine " + protectedMachineId, () -> points.latest(protectedMachineId));
  }

  @Override
  public Optional<RecoveryPoint> point(String id) {
    return run("read recovery point " + id, () -> points.byId(id));
  }

  @Override
  public int markExpiring(List<String> ids) {
    return run("mark " + ids.size() + " recovery point(s) expiring", () -> points.markExpiring(ids));
  }

  @Override
  public List<RecoveryPoint> expiringPoints(String protectedMachineId) {
    return run("list the expiring points of protected machine " + protectedMachineId, () -> points.expiring(protectedMachineId));
  }

  @Override
  public int markDeleted(List<String> ids, Instant at) {
    return run("mark " + ids.size() + " recovery point(s) deleted", () -> points.markDeleted(ids, at));
  }

  @Override
  public long countPoints(String protectedMachineId) {
    return run("count the points of protected machine " + protectedMachineId, () -> points.count(protectedMachineId));
  }

  // ---- jobs

  @Override
  public Job createJob(Job job) {
    return run("create a " + job.type() + " job", () -> jobs.create(job));
  }

  @Override
  public Optional<Job> job(String id) {
    return run("read job " + id, () -> jobs.byId(id));
  }

  @Override
  public List<Job> jobs(JobFilter filter) {
    return run("list jobs", () -> jobs.list(filter));
  }

  @Override
  public List<Job> activeJobs() {
    return run("list active jobs", jobs::active);
  }

  @Override
  public Optional<Job> activeJobFor(String targetId) {
    return run("read the active job of " + targetId, () -> jobs.activeFor(targetId));
  }

  @Override
  public Job updateJob(Job job) {
    return run("update job " + job.id(), () -> jobs.update(job));
  }

  // ---- alerts

  @Override
  public Alert raiseAlert(String kind, String severity, String objectKind, String objectId, String message, String hint, Instant at) {
    return run("raise alert " + kind + " for " + objectId, () -> alerts.raise(kind, severity, objectKind, objectId, message, hint, at));
  }

  @Override
  public boolean clearAlert(String kind, String objectId, Instant at) {
    return run("clear alert " + kind + " for " + objectId, () -> alerts.clear(kind, objectId, at));
  }

  @Override
  public Optional<Alert> alert(String id) {
    return run("read alert " + id, () -> alerts.byId(id));
  }

  @Override
  public List<Alert> activeAlerts() {
    return run("list active alerts", alerts::allActive);
  }

  @Override
  public List<Alert> alerts(int limit, String afterId) {
    return run("list alerts", () -> alerts.history(limit, afterId));
  }

  @Override
  public List<Alert> alertsFor(String objectId) {
    return run("list the alerts about " + objectId, () -> alerts.about(objectId));
  }

  // ---- users and tokens

  @Override
  public User createUser(String name, String role, String passwordHash) {
    return run("create user '" + name + "'", () -> users.create(name, role, passwordHash));
  }

  @Override
  public Optional<User> user(String id) {
    return run("read user " + id, () -> users.byId(id));
  }

  @Override
  public Optional<User> userByName(String name) {
    return run("read user '" + name + "'", () -> users.byName(name));
  }

  @Override
  public List<User> users() {
    return run("list users", users::all);
  }

  @Override
  public User updateUser(User user) {
    return run("update user " + user.id(), () -> users.update(user));
  }

  @Override
  public Token createToken(String userId, String tokenHash, String name, Instant expiresAt) {
    return run("create token '" + name + "' for user " + userId, () -> tokens.create(userId, tokenHash, name, expiresAt));
  }

  @Override
  public Optional<TokenUser> tokenByHash(String tokenHash) {
    return run("look up a token", () -> tokens.byHash(tokenHash));
  }

  @Override
  public void touchToken(String id, Instant at) {
    exec("record the use of token " + id, () -> tokens.touch(id, at));
  }

  @Override
  public void deleteToken(String id) {
    exec("delete token " + id, () -> tokens.delete(id));
  }

  @Override
  public List<Token> tokens(String userId) {
    return run("list the tokens of user " + userId, () -> tokens.byUser(userId));
  }

  // ---- audit

  @Override
  public AuditEntry appendAudit(AuditEntry entry) {
    return run("append to the audit log", () -> audit.append(entry));
  }

  @Override
  public List<AuditEntry> audit(int limit, Long afterSeq, String actor) {
    return run("read the audit log", () -> audit.list(limit, afterSeq, actor));
  }

  // ---- idempotency keys

  @Override
  public Optional<IdempotentResponse> idempotent(String key, String actor) {
    return run("read idempotency key '" + key + "'", () -> idempotency.find(key, actor));
  }

  @Override
  public IdempotentResponse saveIdempotent(String key, String actor, String requestHash, int status, String responseBody, Instant at) {
    return run("save idempotency key '" + key + "'", () -> idempotency.save(key, actor, requestHash, status, responseBody, at));
  }

  @Override
  public int purgeIdempotent(Instant before) {
    return run("purge idempotency keys", () -> idempotency.purge(before));
  }
}
