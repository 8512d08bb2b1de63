package io.ferry.vault.store;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;

/**
 * The vault's database: SQLite ({@link #openSqlite}) or PostgreSQL ({@link #open}), migrated to
 * the current schema on open, with a HikariCP pool.
 *
 * <p>Every {@link StoreOperations} call made on the store runs in its own transaction; to make
 * several calls atomic, use {@link #inTransaction} and call them on the {@link Tx} it gives. A
 * store call (or a nested {@code inTransaction}) made on a thread that is inside a transaction of
 * this store joins that transaction instead of opening another one. Inside a transaction, do not
 * wait for another thread that uses the store: on SQLite it would wait for the only connection
 * (and fail after 30 s).
 *
 * <p>SQLite runs on one pooled connection: transactions are serialized, so concurrent writers
 * from many threads are safe (they queue for up to 30 s). PostgreSQL runs READ COMMITTED with a
 * pool of {@value Connections#POSTGRES_POOL_SIZE}; the rules that matter under concurrency (key
 * consumed once, one active job per target, one active alert per object, unique names) are
 * enforced by the database itself.
 */
public final class VaultStore implements StoreOperations, AutoCloseable {

  /** The operations, all inside one transaction. Do not keep it beyond the callback. */
  public interface Tx extends StoreOperations {}

  private final HikariDataSource pool;
  private final Jdbi jdbi;
  private final Vendor vendor;
  private final String location;
  private final Clock clock;
  private final Json json = new Json();
  private final ThreadLocal<Tx> current = new ThreadLocal<>();

  private VaultStore(HikariDataSource pool, Vendor vendor, String location, Clock clock) {
    this.pool = pool;
    this.jdbi = Jdbi.create(pool);
    this.vendor = vendor;
    this.location = location;
    this.clock = clock;
  }

  /**
   * Opens the database at a JDBC URL: {@code jdbc:postgresql://...}, or {@code jdbc:sqlite:<file>}
   * (same as {@link #openSqlite}; user and password are ignored).
   */
  public static VaultStore open(String jdbcUrl, String user, String password) {
    return open(jdbcUrl, user, password, Clock.systemUTC());
  }

  /** {@link #open(String, String, String)} with the clock that stamps {@code created_at}/{@code updated_at}. */
  public static VaultStore open(String jdbcUrl, String user, String password, Clock clock) {
    Vendor vendor = Vendor.ofUrl(jdbcUrl);
    if (vendor == Vendor.SQLITE) {
      String file = jdbcUrl.substring("jdbc:sqlite:".length());
      int query = file.indexOf('?');
      return openSqlite(Path.of(query < 0 ? file : file.substring(0, query)), clock);
    }
    return new VaultStore(Connections.postgres(jdbcUrl, user, password), vendor, Connections.redact(jdbcUrl), clock);
  }

  /** Opens (creating if needed) the SQLite database file; its directory must exist and be writable. */
  public static VaultStore openSqlite(Path file) {
    return openSqlite(file, Clock.systemUTC());
  }

  public static VaultStore openSqlite(Path file, Clock clock) {
    return new VaultStore(Connections.sqlite(file), Vendor.SQLITE, file.toAbsolutePath().normalize().toString(), clock);
  }

  /** {@code "sqlite"} or {@code "postgresql"}. */
  public String vendor() {
    return vendor.id();
  }

  /** Where the data is: the SQLite file or the PostgreSQL URL (no password). */
  public String location() {
    return location;
  }

  /** Runs {@code work} in one transaction: committed if it returns, rolled back if it throws. */
  public <T> T inTransaction(Function<Tx, T> work) {
    Tx open = current.get();
    if (open != null) {
      return work.apply(open);
    }
    if (pool.isClosed()) {
      throw closed();
    }
    try {
      return jdbi.inTransaction(handle -> {
        Tx tx = new HandleTx(new Db(handle, vendor, json, clock));
        current.set(tx);
        try {
          return work.apply(tx);
        } finally {
          current.remove();
        }
      });
    } catch (JdbiException e) {
      throw pool.isClosed() ? closed() : Errors.translate(e, "run a transaction on " + location + " (" + poolState() + ")", vendor);
    }
  }

  private StoreException closed() {
    return new StoreException("cannot use the vault database " + location + " (" + vendor.id() + "): the store is closed",
        "something used the store after the vault shut it down; restart the vault");
  }

  /** {@link #inTransaction} for work without a result. */
  public void useTransaction(Consumer<Tx> work) {
    inTransaction(tx -> {
      work.accept(tx);
      return null;
    });
  }

  /** Checks the database answers; throws {@link StoreException} if not. */
  public void ping() {
    if (current.get() != null) {
      return;
    }
    if (pool.isClosed()) {
      throw closed();
    }
    try {
      jdbi.withHandle(h -> h.createQuery("SELECT 1").mapTo(Integer.class).one());
    } catch (JdbiException e) {
      throw Errors.translate(e, "reach the vault database " + location + " (" + poolState() + ")", vendor);
    }
  }

  /** Closes the pool; calls after this fail. */
  @Override
  public void close() {
    pool.close();
  }

  /** Counters of the connection pool, for errors and metrics. */
  public String poolState() {
    HikariPoolMXBean bean = pool.getHikariPoolMXBean();
    return bean == null ? "pool closed"
        : "pool " + pool.getPoolName() + ": active=" + bean.getActiveConnections() + " idle=" + bean.getIdleConnections()
            + " waiting=" + bean.getThreadsAwaitingConnection() + " max=" + pool.getMaximumPoolSize();
  }

  /** The pool, for metrics (HikariCP publishes to Micrometer). */
  public HikariDataSource dataSource() {
    return pool;
  }

  Jdbi jdbi() {
    return jdbi;
  }

  @Override
  public String toString() {
    return "VaultStore[" + vendor.id() + " " + location + "]";
  }

  // ---- every operation in its own transaction (or the caller's, see the class comment)

  @Override
  public Site createSite(String name, String description) {
    return inTransaction(tx -> tx.createSite(name, description));
  }

  @Override
  public Optional<Site> site(String id) {
    return inTransaction(tx -> tx.site(id));
  }

  @Override
  public Optional<Site> siteByName(String name) {
    return inTransaction(tx -> tx.siteByName(name));
  }

  @Override
  public List<Site> sites() {
    return inTransaction(tx -> tx.sites());
  }

  @Override
  public RegistrationKey createRegistrationKey(String siteId, String keyHash, Instant expiresAt) {
    return inTransaction(tx -> tx.createRegistrationKey(siteId, keyHash, expiresAt));
  }

  @Override
  public Optional<RegistrationKey> consumeRegistrationKey(String keyHash, String hostId, Instant now) {
    return inTransaction(tx -> tx.consumeRegistrationKey(keyHash, hostId, now));
  }

  @Override
  public List<RegistrationKey> registrationKeys(String siteId) {
    return inTransaction(tx -> tx.registrationKeys(siteId));
  }

  @Override
  public Host createHost(Host host) {
    return inTransaction(tx -> tx.createHost(host));
  }

  @Override
  public Optional<Host> host(String id) {
    return inTransaction(tx -> tx.host(id));
  }

  @Override
  public List<Host> hosts() {
    return inTransaction(tx -> tx.hosts());
  }

  @Override
  public List<Host> hostsBySite(String siteId) {
    return inTransaction(tx -> tx.hostsBySite(siteId));
  }

  @Override
  public Host recordHeartbeat(String hostId, Instant at, String agentVersion, String dataAddress, String inventoryJson) {
    return inTransaction(tx -> tx.recordHeartbeat(hostId, at, agentVersion, dataAddress, inventoryJson));
  }

  @Override
  public List<Machine> upsertMachines(String hostId, List<DiscoveredMachine> seen, Instant now) {
    return inTransaction(tx -> tx.upsertMachines(hostId, seen, now));
  }

  @Override
  public Optional<Machine> machine(String id) {
    return inTransaction(tx -> tx.machine(id));
  }

  @Override
  public List<Machine> machines() {
    return inTransaction(tx -> tx.machines());
  }

  @Override
  public List<Machine> machinesByHost(String hostId) {
    return inTransaction(tx -> tx.machinesByHost(hostId));
  }

  @Override
  public Optional<Machine> machineByHostAndName(String hostId, String name) {
    return inTransaction(tx -> tx.machineByHostAndName(hostId, name));
  }

  @Override
  public Policy createPolicy(Policy policy) {
    return inTransaction(tx -> tx.createPolicy(policy));
  }

  @Override
  public Optional<Policy> policy(String id) {
    return inTransaction(tx -> tx.policy(id));
  }

  @Override
  public Optional<Policy> policyByName(String name) {
    return inTransaction(tx -> tx.policyByName(name));
  }

  @Override
  public List<Policy> policies() {
    return inTransaction(tx -> tx.policies());
  }

  @Override
  public Policy updatePolicy(Policy policy) {
    return inTransaction(tx -> tx.updatePolicy(policy));
  }

  @Override
  public void deletePolicy(String id) {
    useTransaction(tx -> tx.deletePolicy(id));
  }

  @Override
  public Pairing createPairing(Pairing pairing) {
    return inTransaction(tx -> tx.createPairing(pairing));
  }

  @Override
  public Optional<Pairing> pairing(String id) {
    return inTransaction(tx -> tx.pairing(id));
  }

  @Override
  public Optional<Pairing> pairingByName(String name) {
    return inTransaction(tx -> tx.pairingByName(name));
  }

  @Override
  public List<Pairing> pairings() {
    return inTransaction(tx -> tx.pairings());
  }

  @Override
  public List<Pairing> pairingsByPolicy(String policyId) {
    return inTransaction(tx -> tx.pairingsByPolicy(policyId));
  }

  @Override
  public void deletePairing(String id) {
    useTransaction(tx -> tx.deletePairing(id));
  }

  @Override
  public ProtectedMachine createProtectedMachine(String machineId, String pairingId, String state) {
    return inTransaction(tx -> tx.createProtectedMachine(machineId, pairingId, state));
  }

  @Override
  public Optional<ProtectedMachine> protectedMachine(String id) {
    return inTransaction(tx -> tx.protectedMachine(id));
  }

  @Override
  public Optional<ProtectedMachine> protectedMachineByMachine(String machineId) {
    return inTransaction(tx -> tx.protectedMachineByMachine(machineId));
  }

  @Override
  public List<ProtectedMachine> protectedMachines() {
    return inTransaction(tx -> tx.protectedMachines());
  }

  @Override
  public List<ProtectedMachine> protectedMachinesByPairing(String pairingId) {
    return inTransaction(tx -> tx.protectedMachinesByPairing(pairingId));
  }

  @Override
  public boolean updateState(String id, int expectedVersion, String newState, Instant at) {
    return inTransaction(tx -> tx.updateState(id, expectedVersion, newState, at));
  }

  @Override
  public boolean updateTestState(String id, int expectedVersion, String newTestState) {
    return inTransaction(tx -> tx.updateTestState(id, expectedVersion, newTestState));
  }

  @Override
  public void updateDirection(String id, String direction, String activeHostId, String activeDomain, String standbyDomain) {
    inTransaction(tx -> {
      tx.updateDirection(id, direction, activeHostId, activeDomain, standbyDomain);
      return null;
    });
  }

  @Override
  public RecoveryVm createRecoveryVm(RecoveryVm vm) {
    return inTransaction(tx -> tx.createRecoveryVm(vm));
  }

  @Override
  public Optional<RecoveryVm> recoveryVm(String id) {
    return inTransaction(tx -> tx.recoveryVm(id));
  }

  @Override
  public List<RecoveryVm> recoveryVmsByHost(String hostId) {
    return inTransaction(tx -> tx.recoveryVmsByHost(hostId));
  }

  @Override
  public List<RecoveryVm> recoveryVmsByMachine(String protectedMachineId) {
    return inTransaction(tx -> tx.recoveryVmsByMachine(protectedMachineId));
  }

  @Override
  public boolean updateRecoveryVm(String id, String desired, String pointId) {
    return inTransaction(tx -> tx.updateRecoveryVm(id, desired, pointId));
  }

  @Override
  public void deleteRecoveryVm(String id) {
    inTransaction(tx -> {
      tx.deleteRecoveryVm(id);
      return null;
    });
  }

  @Override
  public void updateHealth(String id, String health, String reason) {
    useTransaction(tx -> tx.updateHealth(id, health, reason));
  }

  @Override
  public void updateReplication(String id, String replicationJson, String lastError) {
    useTransaction(tx -> tx.updateReplication(id, replicationJson, lastError));
  }

  @Override
  public void updateLatestPoint(String id, String pointId, Instant at) {
    useTransaction(tx -> tx.updateLatestPoint(id, pointId, at));
  }

  @Override
  public void deleteProtectedMachine(String id) {
    useTransaction(tx -> tx.deleteProtectedMachine(id));
  }

  @Override
  public boolean insertPoint(RecoveryPoint point) {
    return inTransaction(tx -> tx.insertPoint(point));
  }

  @Override
  public List<RecoveryPoint> points(String protectedMachineId) {
    return inTransaction(tx -> tx.points(protectedMachineId));
  }

  @Override
  public Optional<RecoveryPoint> latestPoint(String protectedMachineId) {
    return inTransaction(tx -> tx.latestPoint(protectedMachineId));
  }

  @Override
  public Optional<RecoveryPoint> point(String id) {
    return inTransaction(tx -> tx.point(id));
  }

  @Override
  public int markExpiring(List<String> ids) {
    return inTransaction(tx -> tx.markExpiring(ids));
  }

  @Override
  public List<RecoveryPoint> expiringPoints(String protectedMachineId) {
    return inTransaction(tx -> tx.expiringPoints(protectedMachineId));
  }

  @Override
  public int markDeleted(List<String> ids, Instant at) {
    return inTransaction(tx -> tx.markDeleted(ids, at));
  }

  @Override
  public long countPoints(String protectedMachineId) {
    return inTransaction(tx -> tx.countPoints(protectedMachineId));
  }

  @Override
  public Job createJob(Job job) {
    return inTransaction(tx -> tx.createJob(job));
  }

  @Override
  public Optional<Job> job(String id) {
    return inTransaction(tx -> tx.job(id));
  }

  @Override
  public List<Job> jobs(JobFilter filter) {
    return inTransaction(tx -> tx.jobs(filter));
  }

  @Override
  public List<Job> activeJobs() {
    return inTransaction(tx -> tx.activeJobs());
  }

  @Override
  public Optional<Job> activeJobFor(String targetId) {
    return inTransaction(tx -> tx.activeJobFor(targetId));
  }

  @Override
  public Job updateJob(Job job) {
    return inTransaction(tx -> tx.updateJob(job));
  }

  @Override
  public Alert raiseAlert(String kind, String severity, String objectKind, String objectId, String message, String hint, Instant at) {
    return inTransaction(tx -> tx.raiseAlert(kind, severity, objectKind, objectId, message, hint, at));
  }

  @Override
  public boolean clearAlert(String kind, String objectId, Instant at) {
    return inTransaction(tx -> tx.clearAlert(kind, objectId, at));
  }

  @Override
  public Optional<Alert> alert(String id) {
    return inTransaction(tx -> tx.alert(id));
  }

  @Override
  public List<Alert> activeAlerts() {
    return inTransaction(tx -> tx.activeAlerts());
  }

  @Override
  public List<Alert> alerts(int limit, String afterId) {
    return inTransaction(tx -> tx.alerts(limit, afterId));
  }

  @Override
  public List<Alert> alertsFor(String objectId) {
    return inTransaction(tx -> tx.alertsFor(objectId));
  }

  @Override
  public User createUser(String name, String role, String passwordHash) {
    return inTransaction(tx -> tx.createUser(name, role, passwordHash));
  }

  @Override
  public Optional<User> user(String id) {
    return inTransaction(tx -> tx.user(id));
  }

  @Override
  public Optional<User> userByName(String name) {
    return inTransaction(tx -> tx.userByName(name));
  }

  @Override
  public List<User> users() {
    return inTransaction(tx -> tx.users());
  }

  @Override
  public User updateUser(User user) {
    return inTransaction(tx -> tx.updateUser(user));
  }

  @Override
  public Token createToken(String userId, String tokenHash, String name, Instant expiresAt) {
    return inTransaction(tx -> tx.createToken(userId, tokenHash, name, expiresAt));
  }

  @Override
  public Optional<TokenUser> tokenByHash(String tokenHash) {
    return inTransaction(tx -> tx.tokenByHash(tokenHash));
  }

  @Override
  public void touchToken(String id, Instant at) {
    useTransaction(tx -> tx.touchToken(id, at));
  }

  @Override
  public void deleteToken(String id) {
    useTransaction(tx -> tx.deleteToken(id));
  }

  @Override
  public List<Token> tokens(String userId) {
    return inTransaction(tx -> tx.tokens(userId));
  }

  @Override
  public AuditEntry appendAudit(AuditEntry entry) {
    return inTransaction(tx -> tx.appendAudit(entry));
  }

  @Override
  public List<AuditEntry> audit(int limit, Long afterSeq, String actor) {
    return inTransaction(tx -> tx.audit(limit, afterSeq, actor));
  }

  @Override
  public Optional<IdempotentResponse> idempotent(String key, String actor) {
    return inTransaction(tx -> tx.idempotent(key, actor));
  }

  @Override
  public IdempotentResponse saveIdempotent(String key, String actor, String requestHash, int status, String responseBody, Instant at) {
    return inTransaction(tx -> tx.saveIdempotent(key, actor, requestHash, status, responseBody, at));
  }

  @Override
  public int purgeIdempotent(Instant before) {
    return inTransaction(tx -> tx.purgeIdempotent(before));
  }
}
