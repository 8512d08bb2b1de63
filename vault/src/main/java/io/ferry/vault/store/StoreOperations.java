package io.ferry.vault.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Everything the vault reads and writes. {@link VaultStore} runs each call in its own transaction;
 * {@link VaultStore.Tx} runs them all in the one of {@link VaultStore#inTransaction}.
 *
 * <p>Errors: {@link ConflictException} when a uniqueness or reference rule would break (names,
 * one active job per target, objects still in use); {@link NotFoundException} when an update or
 * delete names an unknown id, or a create names a referenced object that does not exist; {@link
 * StoreException} for everything else (database unreachable, invalid JSON text...). A failed call
 * inside a transaction leaves the transaction usable: its own changes are rolled back.
 *
 * <p>Lists are ordered: by name for named objects, newest first for histories (jobs, alerts,
 * audit, points), oldest first for work queues (active jobs, expiring points).
 */
public interface StoreOperations {

  // ---- sites

  /** A new site; a taken name → {@link ConflictException} naming the site that has it. */
  Site createSite(String name, String description);

  Optional<Site> site(String id);

  Optional<Site> siteByName(String name);

  List<Site> sites();

  // ---- registration keys

  /** Stores the hash (hex SHA-256) of a one-time key an agent will register with. */
  RegistrationKey createRegistrationKey(String siteId, String keyHash, Instant expiresAt);

  /**
   * Marks the key used by {@code hostId} if it is unused and {@code expiresAt > now}, and returns
   * it; empty for an unknown, used or expired key. Atomic: two concurrent callers never both get it.
   */
  Optional<RegistrationKey> consumeRegistrationKey(String keyHash, String hostId, Instant now);

  /** The keys of a site, newest first. */
  List<RegistrationKey> registrationKeys(String siteId);

  // ---- hosts

  /** Stores a host; a null id is generated, a null {@code registeredAt} is now. */
  Host createHost(Host host);

  Optional<Host> host(String id);

  List<Host> hosts();

  List<Host> hostsBySite(String siteId);

  /**
   * Records a heartbeat at {@code at}; null {@code agentVersion}, {@code dataAddress} or {@code
   * inventoryJson} keep what is stored. Returns the updated host.
   */
  Host recordHeartbeat(String hostId, Instant at, String agentVersion, String dataAddress, String inventoryJson);

  // ---- machines

  /**
   * What the host reports now: new machines are inserted, known ones (by uuid) get name, power
   * state, disks, networks and {@code lastSeenAt = now}; machines not in {@code seen} are kept with
   * power state {@link Machine#MISSING}. Returns all the machines of the host.
   */
  List<Machine> upsertMachines(String hostId, List<DiscoveredMachine> seen, Instant now);

  Optional<Machine> machine(String id);

  List<Machine> machines();

  List<Machine> machinesByHost(String hostId);

  /** The machine of that name on the host; a present one wins over a {@code MISSING} namesake. */
  Optional<Machine> machineByHostAndName(String hostId, String name);

  // ---- policies

  /** Stores a policy; a null id is generated, null times are now. A taken name → {@link ConflictException}. */
  Policy createPolicy(Policy policy);

  Optional<Policy> policy(String id);

  Optional<Policy> policyByName(String name);

  List<Policy> policies();

  /** Replaces every field but {@code createdAt}; {@code updatedAt} becomes now. Returns the stored policy. */
  Policy updatePolicy(Policy policy);

  /** Deletes the policy; refused ({@link ConflictException} naming them) while pairings use it. */
  void deletePolicy(String id);

  // ---- pairings

  /** Stores a pairing after checking the sites, policy and recovery host it names exist. */
  Pairing createPairing(Pairing pairing);

  Optional<Pairing> pairing(String id);

  Optional<Pairing> pairingByName(String name);

  List<Pairing> pairings();

  List<Pairing> pairingsByPolicy(String policyId);

  /** Deletes the pairing; refused ({@link ConflictException}) while machines are protected through it. */
  void deletePairing(String id);

  // ---- protected machines

  /** Protects a machine through a pairing; health starts {@code UNKNOWN}, version 0. One per machine. */
  ProtectedMachine createProtectedMachine(String machineId, String pairingId, String state);

  Optional<ProtectedMachine> protectedMachine(String id);

  Optional<ProtectedMachine> protectedMachineByMachine(String machineId);

  List<ProtectedMachine> protectedMachines();

  List<ProtectedMachine> protectedMachinesByPairing(String pairingId);

  /**
   * Sets the state if the row's version is still {@code expectedVersion}, and bumps the version;
   * false if another writer moved it first (re-read and decide again).
   */
  boolean updateState(String id, int expectedVersion, String newState, Instant at);

  /** As {@link #updateState}, for the test-failover state (same version). */
  boolean updateTestState(String id, int expectedVersion, String newTestState);

  /** Sets direction, active domain (and its host) and standby domain. Does not touch the version. */
  void updateDirection(String id, String direction, String activeHostId, String activeDomain, String standbyDomain);

  /** Sets health and its reason (null when healthy). Does not touch the version. */
  void updateHealth(String id, String health, String reason);

  /** Sets the live replication progress (JSON text, may be null) and the last error (null when none). */
  void updateReplication(String id, String replicationJson, String lastError);

  void updateLatestPoint(String id, String pointId, Instant at);

  /** Deletes the protected machine together with the vault's records of its recovery points. */
  void deleteProtectedMachine(String id);

  // ---- recovery points

  /** Records a point (state AVAILABLE when null); an id already recorded is left alone. True if inserted. */
  boolean insertPoint(RecoveryPoint point);

  /** AVAILABLE and EXPIRING points of the machine, newest first. */
  List<RecoveryPoint> points(String protectedMachineId);

  /** The newest AVAILABLE point. */
  Optional<RecoveryPoint> latestPoint(String protectedMachineId);

  Optional<RecoveryPoint> point(String id);

  /** AVAILABLE → EXPIRING for those ids; returns how many changed. */
  int markExpiring(List<String> ids);

  /** EXPIRING points of the machine, oldest first. */
  List<RecoveryPoint> expiringPoints(String protectedMachineId);

  /** → DELETED at {@code at} for those ids not deleted yet; returns how many changed. */
  int markDeleted(List<String> ids, Instant at);

  /** How many AVAILABLE and EXPIRING points the machine has. */
  long countPoints(String protectedMachineId);

  // ---- recovery VMs

  /** Stores a recovery VM; a second one with the same domain name on the host → {@link ConflictException}. */
  RecoveryVm createRecoveryVm(RecoveryVm vm);

  Optional<RecoveryVm> recoveryVm(String id);

  /** The recovery VMs a host runs or should remove, oldest first. */
  List<RecoveryVm> recoveryVmsByHost(String hostId);

  /** The recovery VMs of a protected machine, oldest first. */
  List<RecoveryVm> recoveryVmsByMachine(String protectedMachineId);

  /** Sets desired state and point; false if the row is gone. */
  boolean updateRecoveryVm(String id, String desired, String pointId);

  void deleteRecoveryVm(String id);

  // ---- jobs

  /**
   * Stores a job (null id generated, null state QUEUED, null times now). A second active job for
   * the same target → {@link ConflictException} naming the active job's id and type.
   */
  Job createJob(Job job);

  Optional<Job> job(String id);

  /** Newest first, filtered, one page; the next page is {@code filter.after(lastIdOfThisPage)}. */
  List<Job> jobs(JobFilter filter);

  /** QUEUED, RUNNING and CANCELLING jobs, oldest first: what a restarted vault resumes. */
  List<Job> activeJobs();

  Optional<Job> activeJobFor(String targetId);

  /** Replaces the job's row (all but {@code createdAt}); {@code updatedAt} becomes now. Returns the stored job. */
  Job updateJob(Job job);

  // ---- alerts

  /**
   * The active alert of {@code kind} for the object: created, or (already active) refreshed with
   * this severity, message and hint and returned with its original id and {@code raisedAt}.
   */
  Alert raiseAlert(String kind, String severity, String objectKind, String objectId, String message, String hint, Instant at);

  /** Clears the active alert of {@code kind} for the object; false if none was active. */
  boolean clearAlert(String kind, String objectId, Instant at);

  Optional<Alert> alert(String id);

  /** Active alerts, newest first. */
  List<Alert> activeAlerts();

  /** All alerts, newest first, one page after the alert {@code afterId} (null: first page). */
  List<Alert> alerts(int limit, String afterId);

  /** Every alert about the object, newest first. */
  List<Alert> alertsFor(String objectId);

  // ---- users and tokens

  /** A new, enabled user; {@code passwordHash} comes from {@link Passwords#hash}. A taken name → {@link ConflictException}. */
  User createUser(String name, String role, String passwordHash);

  Optional<User> user(String id);

  Optional<User> userByName(String name);

  List<User> users();

  /** Replaces name, role, password hash and disabled. Returns the stored user. */
  User updateUser(User user);

  /** Stores a token's hash; {@code expiresAt} null means it never expires. */
  Token createToken(String userId, String tokenHash, String name, Instant expiresAt);

  /** The token with that hash and its user, expired or not (see {@link TokenUser#usable}). */
  Optional<TokenUser> tokenByHash(String tokenHash);

  void touchToken(String id, Instant at);

  void deleteToken(String id);

  /** The tokens of a user, oldest first. */
  List<Token> tokens(String userId);

  // ---- audit

  /** Appends an entry ({@code seq} ignored) and returns it with its sequence number. */
  AuditEntry appendAudit(AuditEntry entry);

  /** Newest first; {@code afterSeq} is the last seq of the previous page, {@code actor} filters; both may be null. */
  List<AuditEntry> audit(int limit, Long afterSeq, String actor);

  // ---- idempotency keys

  Optional<IdempotentResponse> idempotent(String key, String actor);

  /** Saves the first response to (key, actor); a second save → {@link ConflictException}. */
  IdempotentResponse saveIdempotent(String key, String actor, String requestHash, int status, String responseBody, Instant at);

  /** Forgets responses saved before {@code before}; returns how many. */
  int purgeIdempotent(Instant before);
}
