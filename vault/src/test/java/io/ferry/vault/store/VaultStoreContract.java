package io.ferry.vault.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * One contract for every database the store runs on: each subclass opens a fresh, empty database
 * per test and the same assertions must hold.
 */
abstract class VaultStoreContract {
  static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");

  protected final MutableClock clock = new MutableClock(T0);
  protected VaultStore store;

  /** Opens the test's database (the same one on every call within a test). */
  protected abstract VaultStore openStore(Clock clock);

  protected abstract String expectedVendor();

  @BeforeEach
  void open() {
    store = openStore(clock);
  }

  @AfterEach
  void close() {
    if (store != null) {
      store.close();
    }
  }

  // ---- fixtures

  Site site(String name) {
    return store.createSite(name, "site " + name);
  }

  Host host(Site site, String name) {
    return store.createHost(new Host(null, site.id(), name, "10.0.0.1:9443", "sha256:" + name, null, null, "0.1.0", null));
  }

  Machine machine(Host host, String name) {
    List<Machine> all = new ArrayList<>(store.machinesByHost(host.id()));
    List<DiscoveredMachine> seen = new ArrayList<>();
    for (Machine m : all) {
      if (!Machine.MISSING.equals(m.powerState())) {
        seen.add(new DiscoveredMachine(m.uuid(), m.name(), m.powerState(), m.disks(), m.networks()));
      }
    }
    seen.add(new DiscoveredMachine("uuid-" + name, name, "RUNNING", "[{\"target\":\"vda\"}]", "[]"));
    return store.upsertMachines(host.id(), seen, clock.instant()).stream().filter(m -> m.name().equals(name)).findFirst().orElseThrow();
  }

  Policy policy(String name) {
    return store.createPolicy(new Policy(null, name, 300, 86_400, 0, "zstd", 3, false, 0, 900, null, null));
  }

  record World(Site primary, Site recovery, Host source, Host target, Policy policy, Pairing pairing) {}

  World world() {
    Site primary = site("primary");
    Site recovery = site("recovery");
    Host source = host(primary, "kvm-a");
    Host target = host(recovery, "kvm-b");
    Policy policy = policy("gold");
    Pairing pairing = store.createPairing(new Pairing(null, "a-to-b", primary.id(), recovery.id(), policy.id(), target.id(), "repo-b",
        "{\"default\":\"recovery-net\"}", null, null));
    return new World(primary, recovery, source, target, policy, pairing);
  }

  ProtectedMachine protect(World w, String machineName) {
    return store.createProtectedMachine(machine(w.source(), machineName).id(), w.pairing().id(), "ENABLING");
  }

  RecoveryPoint point(String id, ProtectedMachine pm, Instant at) {
    return new RecoveryPoint(id, pm.id(), at, "CRASH", "INCREMENTAL", null, 1024, 512, "[{\"disk\":\"vda\"}]", null, null, "repo-b");
  }

  Job job(String type, String targetId, Instant at) {
    return new Job(null, type, targetId, Job.QUEUED, null, List.of(new JobStep("prepare", "PENDING", null, null, null)), null, "{}", null,
        "admin", at, null, null, null);
  }

  static <T> List<T> concurrently(int threads, Callable<T> task) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<T>> futures = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        futures.add(pool.submit(() -> {
          start.await();
          return task.call();
        }));
      }
      start.countDown();
      List<T> results = new ArrayList<>();
      for (Future<T> f : futures) {
        results.add(f.get(60, TimeUnit.SECONDS));
      }
      return results;
    } finally {
      pool.shutdownNow();
    }
  }

  // ---- the store itself

  @Test
  void vendorIsReported() {
    assertThat(store.vendor()).isEqualTo(expectedVendor());
    assertThat(store.toString()).contains(expectedVendor());
    store.ping();
  }

  @Test
  void callsAfterCloseFailClearly() {
    store.close();
    assertThatThrownBy(() -> store.sites())
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("the store is closed")
        .hasMessageContaining(store.location());
    assertThatThrownBy(() -> store.ping()).isInstanceOf(StoreException.class);
  }

  @Test
  void reopeningRunsNoMigrationAndKeepsTheData() {
    Site site = site("kept");
    assertThat(appliedMigrations()).isEqualTo(3);
    int historyRows = historyRows();
    store.close();
    store = openStore(clock);
    assertThat(store.site(site.id())).contains(site);
    store.close();
    store = openStore(clock);
    assertThat(store.sites()).containsExactly(site);
    assertThat(historyRows()).isEqualTo(historyRows);
    assertThat(appliedMigrations()).isEqualTo(3);
  }

  private int appliedMigrations() {
    return store.jdbi().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM flyway_schema_history WHERE type = 'SQL' AND success = TRUE")
        .mapTo(Integer.class).one());
  }

  private int historyRows() {
    return store.jdbi().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM flyway_schema_history").mapTo(Integer.class).one());
  }

  @Test
  void aTransactionIsAtomic() {
    assertThatThrownBy(() -> store.useTransaction(tx -> {
      tx.createSite("half", null);
      throw new IllegalStateException("boom");
    })).isInstanceOf(IllegalStateException.class).hasMessage("boom");
    assertThat(store.siteByName("half")).isEmpty();

    Site both = store.inTransaction(tx -> {
      Site s = tx.createSite("whole", null);
      tx.createHost(new Host(null, s.id(), "h", null, "fp", null, null, null, null));
      return s;
    });
    assertThat(store.hostsBySite(both.id())).hasSize(1);
  }

  @Test
  void aConflictInsideATransactionLeavesItUsable() {
    site("taken");
    Site other = store.inTransaction(tx -> {
      assertThatThrownBy(() -> tx.createSite("taken", null)).isInstanceOf(ConflictException.class);
      return tx.createSite("free", null);
    });
    assertThat(store.site(other.id())).isPresent();
  }

  @Test
  void storeCallsInsideATransactionJoinIt() {
    assertThatThrownBy(() -> store.useTransaction(tx -> {
      tx.createSite("outer", null);
      store.createSite("inner", null); // same thread: joins, does not wait for a second connection
      assertThat(store.siteByName("outer")).isPresent();
      throw new IllegalStateException("roll both back");
    })).isInstanceOf(IllegalStateException.class);
    assertThat(store.sites()).isEmpty();
  }

  @Test
  void concurrentWritersFromManyThreadsAllLand() throws Exception {
    List<Integer> done = concurrently(8, () -> {
      for (int i = 0; i < 25; i++) {
        store.appendAudit(new AuditEntry(0, clock.instant(), Thread.currentThread().getName(), "ADMIN", "POST /x", null, "OK", 200, null));
      }
      return 25;
    });
    assertThat(done).hasSize(8);
    assertThat(store.audit(1000, null, null)).hasSize(200);
  }

  // ---- sites

  @Nested
  class Sites {
    @Test
    void createReadList() {
      Site b = site("b-site");
      clock.advance(Duration.ofSeconds(1));
      Site a = store.createSite("a-site", null);
      assertThat(b.id()).matches("site-[0-9a-f]{12}");
      assertThat(b.createdAt()).isEqualTo(T0);
      assertThat(store.site(b.id())).contains(b);
      assertThat(store.siteByName("a-site")).contains(a);
      assertThat(store.site("site-nope")).isEmpty();
      assertThat(store.sites()).containsExactly(a, b);
    }

    @Test
    void aTakenNameIsAConflictNamingTheSite() {
      Site first = site("paris");
      assertThatThrownBy(() -> site("paris"))
          .isInstanceOfSatisfying(ConflictException.class, e -> {
            assertThat(e.getMessage()).contains("paris").contains(first.id());
            assertThat(e.existingId()).contains(first.id());
            assertThat(e.hint()).isNotEmpty();
          });
      assertThat(store.sites()).hasSize(1);
    }
  }

  // ---- registration keys

  @Nested
  class RegistrationKeys {
    @Test
    void aKeyIsConsumedOnce() {
      Site s = site("s");
      RegistrationKey key = store.createRegistrationKey(s.id(), "ab12", T0.plus(Duration.ofHours(1)));
      assertThat(key.used()).isFalse();
      Optional<RegistrationKey> used = store.consumeRegistrationKey("ab12", "host-1", T0.plusSeconds(5));
      assertThat(used).hasValueSatisfying(k -> {
        assertThat(k.id()).isEqualTo(key.id());
        assertThat(k.siteId()).isEqualTo(s.id());
        assertThat(k.usedAt()).isEqualTo(T0.plusSeconds(5));
        assertThat(k.usedByHost()).isEqualTo("host-1");
      });
      assertThat(store.consumeRegistrationKey("ab12", "host-2", T0.plusSeconds(6))).isEmpty();
      assertThat(store.registrationKeys(s.id())).singleElement().satisfies(k -> assertThat(k.usedByHost()).isEqualTo("host-1"));
    }

    @Test
    void expiredAndUnknownKeysAreRefused() {
      Site s = site("s");
      store.createRegistrationKey(s.id(), "old", T0.plusSeconds(10));
      assertThat(store.consumeRegistrationKey("old", "host-1", T0.plusSeconds(10))).isEmpty();
      assertThat(store.consumeRegistrationKey("unknown", "host-1", T0)).isEmpty();
    }

    @Test
    void eightConcurrentCallersConsumeAKeyExactlyOnce() throws Exception {
      Site s = site("s");
      for (int round = 0; round < 5; round++) {
        String hash = "race-" + round;
        store.createRegistrationKey(s.id(), hash, T0.plus(Duration.ofHours(1)));
        List<Optional<RegistrationKey>> results = concurrently(8,
            () -> store.consumeRegistrationKey(hash, Thread.currentThread().getName(), T0.plusSeconds(1)));
        assertThat(results.stream().filter(Optional::isPresent)).hasSize(1);
      }
    }

    @Test
    void aKeyForAnUnknownSiteIsNotFound() {
      assertThatThrownBy(() -> store.createRegistrationKey("site-nope", "x", T0))
          .isInstanceOfSatisfying(NotFoundException.class, e -> {
            assertThat(e.kind()).isEqualTo("site");
            assertThat(e.id()).isEqualTo("site-nope");
          });
    }

    @Test
    void aDuplicateHashIsAConflict() {
      Site s = site("s");
      store.createRegistrationKey(s.id(), "same", T0.plusSeconds(60));
      assertThatThrownBy(() -> store.createRegistrationKey(s.id(), "same", T0.plusSeconds(60))).isInstanceOf(ConflictException.class);
    }
  }

  // ---- hosts

  @Nested
  class Hosts {
    @Test
    void createReadListBySite() {
      Site s1 = site("s1");
      Site s2 = site("s2");
      Host a = host(s1, "a");
      Host given = store.createHost(new Host("host-given", s2.id(), "b", null, "fp", T0.minusSeconds(5), null, null, "{\"networks\":[]}"));
      assertThat(a.id()).startsWith("host-");
      assertThat(a.registeredAt()).isEqualTo(T0);
      assertThat(given.id()).isEqualTo("host-given");
      assertThat(store.host("host-given")).contains(given);
      assertThat(store.hosts()).containsExactly(a, given);
      assertThat(store.hostsBySite(s1.id())).containsExactly(a);
    }

    @Test
    void aHeartbeatUpdatesWhatItReportsAndKeepsTheRest() {
      Host h = host(site("s"), "a");
      Host after = store.recordHeartbeat(h.id(), T0.plusSeconds(30), "0.2.0", null, "{\"networks\":[\"default\"]}");
      assertThat(after.lastHeartbeatAt()).isEqualTo(T0.plusSeconds(30));
      assertThat(after.agentVersion()).isEqualTo("0.2.0");
      assertThat(after.dataAddress()).isEqualTo(h.dataAddress());
      assertThat(after.inventory()).isEqualTo("{\"networks\":[\"default\"]}");
      Host again = store.recordHeartbeat(h.id(), T0.plusSeconds(60), null, "10.0.0.9:9443", null);
      assertThat(again.agentVersion()).isEqualTo("0.2.0");
      assertThat(again.dataAddress()).isEqualTo("10.0.0.9:9443");
      assertThat(again.inventory()).isEqualTo("{\"networks\":[\"default\"]}");
      assertThat(store.host(h.id())).contains(again);
    }

    @Test
    void unknownHostsAndBadJsonAreRefused() {
      Site s = site("s");
      assertThatThrownBy(() -> store.recordHeartbeat("host-nope", T0, null, null, null))
          .isInstanceOfSatisfying(NotFoundException.class, e -> assertThat(e.getMessage()).contains("host host-nope"));
      assertThatThrownBy(() -> store.createHost(new Host(null, "site-nope", "x", null, "fp", null, null, null, null)))
          .isInstanceOf(NotFoundException.class).hasMessageContaining("site-nope");
      assertThatThrownBy(() -> store.createHost(new Host(null, s.id(), "x", null, "fp", null, null, null, "{not json")))
          .isInstanceOf(StoreException.class).hasMessageContaining("inventory of host x");
    }
  }

  // ---- machines

  @Nested
  class Machines {
    @Test
    void upsertInsertsUpdatesAndMarksMissing() {
      Host h = host(site("s"), "a");
      List<Machine> first = store.upsertMachines(h.id(), List.of(
          new DiscoveredMachine("u1", "web", "RUNNING", "[]", "[]"),
          new DiscoveredMachine("u2", "db", "SHUTOFF", "[{\"t\":\"vda\"}]", "[]")), T0);
      assertThat(first).extracting(Machine::name).containsExactly("db", "web");
      Machine web = first.get(1);
      assertThat(web.discoveredAt()).isEqualTo(T0);
      assertThat(web.id()).startsWith("machine-");

      Instant later = T0.plusSeconds(60);
      List<Machine> second = store.upsertMachines(h.id(), List.of(new DiscoveredMachine("u1", "web-renamed", "PAUSED", "[1]", "[2]")), later);
      Machine renamed = second.stream().filter(m -> m.uuid().equals("u1")).findFirst().orElseThrow();
      assertThat(renamed.id()).isEqualTo(web.id());
      assertThat(renamed).extracting(Machine::name, Machine::powerState, Machine::disks, Machine::networks, Machine::discoveredAt, Machine::lastSeenAt)
          .containsExactly("web-renamed", "PAUSED", "[1]", "[2]", T0, later);
      Machine db = second.stream().filter(m -> m.uuid().equals("u2")).findFirst().orElseThrow();
      assertThat(db.powerState()).isEqualTo(Machine.MISSING);
      assertThat(db.lastSeenAt()).isEqualTo(T0);

      assertThat(store.upsertMachines(h.id(), List.of(), later)).allSatisfy(m -> assertThat(m.powerState()).isEqualTo(Machine.MISSING));
      assertThat(store.upsertMachines(h.id(), List.of(new DiscoveredMachine("u2", "db", "RUNNING", "[]", "[]")), later))
          .filteredOn(m -> m.uuid().equals("u2")).singleElement().satisfies(m -> assertThat(m.powerState()).isEqualTo("RUNNING"));
    }

    @Test
    void lookups() {
      Host a = host(site("s"), "a");
      Host b = host(store.site(a.siteId()).orElseThrow(), "b");
      store.upsertMachines(a.id(), List.of(new DiscoveredMachine("u1", "web", "RUNNING", "[]", "[]")), T0);
      store.upsertMachines(b.id(), List.of(new DiscoveredMachine("u1", "web", "RUNNING", "[]", "[]")), T0);
      Machine onA = store.machineByHostAndName(a.id(), "web").orElseThrow();
      assertThat(onA.hostId()).isEqualTo(a.id());
      assertThat(store.machine(onA.id())).contains(onA);
      assertThat(store.machines()).hasSize(2);
      assertThat(store.machinesByHost(b.id())).singleElement().satisfies(m -> assertThat(m.id()).isNotEqualTo(onA.id()));
      assertThat(store.machineByHostAndName(a.id(), "nope")).isEmpty();

      // a new domain reusing the name of a vanished one is the one found by name
      Machine reborn = store.upsertMachines(a.id(), List.of(new DiscoveredMachine("u9", "web", "RUNNING", "[]", "[]")), T0.plusSeconds(1))
          .stream().filter(m -> m.uuid().equals("u9")).findFirst().orElseThrow();
      assertThat(store.machineByHostAndName(a.id(), "web")).contains(reborn);
    }

    @Test
    void anUnknownHostIsNotFound() {
      assertThatThrownBy(() -> store.upsertMachines("host-nope", List.of(), T0)).isInstanceOf(NotFoundException.class);
    }
  }

  // ---- policies

  @Nested
  class Policies {
    @Test
    void createReadUpdate() {
      Policy gold = policy("gold");
      assertThat(gold.id()).startsWith("policy-");
      assertThat(gold.createdAt()).isEqualTo(T0);
      assertThat(store.policy(gold.id())).contains(gold);
      assertThat(store.policyByName("gold")).contains(gold);
      clock.advance(Duration.ofMinutes(1));
      Policy changed = store.updatePolicy(new Policy(gold.id(), "platinum", 60, 3600, 600, "none", 0, true, 1_000_000, 120, null, null));
      assertThat(changed.createdAt()).isEqualTo(T0);
      assertThat(changed.updatedAt()).isEqualTo(T0.plusSeconds(60));
      assertThat(store.policy(gold.id())).contains(changed);
      assertThat(store.policies()).containsExactly(changed);
    }

    @Test
    void namesAreUnique() {
      Policy gold = policy("gold");
      Policy silver = policy("silver");
      assertThatThrownBy(() -> policy("gold")).isInstanceOf(ConflictException.class).hasMessageContaining(gold.id());
      Policy renamed = new Policy(silver.id(), "gold", 1, 1, 0, "zstd", 1, false, 0, 1, null, null);
      assertThatThrownBy(() -> store.updatePolicy(renamed)).isInstanceOfSatisfying(ConflictException.class,
          e -> assertThat(e.existingId()).contains(gold.id()));
    }

    @Test
    void unknownPoliciesAreNotFound() {
      Policy ghost = new Policy("policy-ghost", "ghost", 1, 1, 0, "zstd", 1, false, 0, 1, null, null);
      assertThatThrownBy(() -> store.updatePolicy(ghost)).isInstanceOf(NotFoundException.class).hasMessageContaining("policy-ghost");
      assertThatThrownBy(() -> store.deletePolicy("policy-ghost")).isInstanceOf(NotFoundException.class);
    }

    @Test
    void aPolicyInUseIsNotDeleted() {
      World w = world();
      assertThatThrownBy(() -> store.deletePolicy(w.policy().id()))
          .isInstanceOfSatisfying(ConflictException.class, e -> {
            assertThat(e.getMessage()).contains(w.pairing().name()).contains(w.pairing().id());
            assertThat(e.existingId()).contains(w.pairing().id());
          });
      store.deletePairing(w.pairing().id());
      store.deletePolicy(w.policy().id());
      assertThat(store.policy(w.policy().id())).isEmpty();
    }

    @Test
    void anUnknownCompressionIsRefusedByTheSchema() {
      assertThatThrownBy(() -> store.createPolicy(new Policy(null, "odd", 1, 1, 0, "lz4", 1, false, 0, 1, null, null)))
          .isInstanceOf(StoreException.class).isNotInstanceOf(ConflictException.class).hasMessageContaining("create policy 'odd'");
    }
  }

  // ---- pairings

  @Nested
  class Pairings {
    @Test
    void createReadList() {
      World w = world();
      assertThat(w.pairing().id()).startsWith("pairing-");
      assertThat(store.pairing(w.pairing().id())).contains(w.pairing());
      assertThat(store.pairingByName("a-to-b")).contains(w.pairing());
      assertThat(store.pairings()).containsExactly(w.pairing());
      assertThat(store.pairingsByPolicy(w.policy().id())).containsExactly(w.pairing());
      assertThat(w.pairing().networkMapping()).isEqualTo("{\"default\":\"recovery-net\"}");
    }

    @Test
    void namesAreUniqueAndReferencesMustExist() {
      World w = world();
      Pairing copy = new Pairing(null, "a-to-b", w.primary().id(), w.recovery().id(), w.policy().id(), w.target().id(), "r", "{}", "a2V5", null);
      assertThatThrownBy(() -> store.createPairing(copy)).isInstanceOf(ConflictException.class).hasMessageContaining(w.pairing().id());
      Pairing noPolicy = new Pairing(null, "other", w.primary().id(), w.recovery().id(), "policy-nope", w.target().id(), "r", "{}", null, null);
      assertThatThrownBy(() -> store.createPairing(noPolicy))
          .isInstanceOfSatisfying(NotFoundException.class, e -> assertThat(e.id()).isEqualTo("policy-nope"));
      Pairing noHost = new Pairing(null, "other", w.primary().id(), w.recovery().id(), w.policy().id(), "host-nope", "r", "{}", null, null);
      assertThatThrownBy(() -> store.createPairing(noHost)).isInstanceOf(NotFoundException.class).hasMessageContaining("host-nope");
    }

    @Test
    void aPairingWithProtectedMachinesIsNotDeleted() {
      World w = world();
      ProtectedMachine pm = protect(w, "web");
      assertThatThrownBy(() -> store.deletePairing(w.pairing().id()))
          .isInstanceOfSatisfying(ConflictException.class, e -> assertThat(e.getMessage()).contains(pm.id()));
      store.deleteProtectedMachine(pm.id());
      store.deletePairing(w.pairing().id());
      assertThat(store.pairings()).isEmpty();
      assertThatThrownBy(() -> store.deletePairing(w.pairing().id())).isInstanceOf(NotFoundException.class);
    }
  }

  // ---- protected machines

  @Nested
  class ProtectedMachines {
    @Test
    void createAndRead() {
      World w = world();
      ProtectedMachine pm = protect(w, "web");
      assertThat(pm.id()).startsWith("pm-");
      assertThat(pm).extracting(ProtectedMachine::state, ProtectedMachine::health, ProtectedMachine::version, ProtectedMachine::createdAt)
          .containsExactly("ENABLING", "UNKNOWN", 0, T0);
      assertThat(store.protectedMachine(pm.id())).contains(pm);
      assertThat(store.protectedMachineByMachine(pm.machineId())).contains(pm);
      assertThat(store.protectedMachines()).containsExactly(pm);
      assertThat(store.protectedMachinesByPairing(w.pairing().id())).containsExactly(pm);
      assertThatThrownBy(() -> store.createProtectedMachine(pm.machineId(), w.pairing().id(), "ENABLING"))
          .isInstanceOfSatisfying(ConflictException.class, e -> assertThat(e.existingId()).contains(pm.id()));
      assertThatThrownBy(() -> store.createProtectedMachine("machine-nope", w.pairing().id(), "ENABLING"))
          .isInstanceOf(NotFoundException.class);
    }

    @Test
    void stateChangesAreOptimistic() {
      ProtectedMachine pm = protect(world(), "web");
      Instant at = T0.plusSeconds(10);
      assertThat(store.updateState(pm.id(), 0, "INITIAL_REPLICATION", at)).isTrue();
      assertThat(store.updateState(pm.id(), 0, "PROTECTED", at)).isFalse();
      ProtectedMachine now = store.protectedMachine(pm.id()).orElseThrow();
      assertThat(now).extracting(ProtectedMachine::state, ProtectedMachine::version, ProtectedMachine::stateChangedAt)
          .containsExactly("INITIAL_REPLICATION", 1, at);
      assertThat(store.updateState(pm.id(), 1, "PROTECTED", at)).isTrue();
      assertThatThrownBy(() -> store.updateState("pm-nope", 0, "PROTECTED", at)).isInstanceOf(NotFoundException.class);
    }

    @Test
    void testFailoverStateChangesAreOptimisticAndShareTheVersion() {
      ProtectedMachine pm = protect(world(), "web");
      assertThat(pm.testState()).isEqualTo("NONE");
      assertThat(store.updateTestState(pm.id(), 0, "STARTING")).isTrue();
      assertThat(store.updateState(pm.id(), 0, "PROTECTED", T0)).as("the drill bumped the version").isFalse();
      assertThat(store.updateTestState(pm.id(), 0, "RUNNING")).isFalse();
      ProtectedMachine now = store.protectedMachine(pm.id()).orElseThrow();
      assertThat(now).extracting(ProtectedMachine::state, ProtectedMachine::testState, ProtectedMachine::version)
          .containsExactly("ENABLING", "STARTING", 1);
      assertThatThrownBy(() -> store.updateTestState("pm-nope", 0, "NONE")).isInstanceOf(NotFoundException.class);
    }

    @Test
    void recoveryVmsAreKeptPerHostWithUniqueDomainNamesAndGoWithTheirMachine() {
      World w = world();
      ProtectedMachine pm = protect(w, "web");
      RecoveryVm vm = store.createRecoveryVm(new RecoveryVm(null, pm.id(), RecoveryVm.TEST, w.target().id(), "pt-1", "web-test",
          RecoveryVm.RUNNING, "ferry-iso-1", true, false, null, null));
      assertThat(vm.id()).startsWith("rvm-");
      assertThat(store.recoveryVm(vm.id())).contains(vm);
      assertThat(store.recoveryVmsByHost(w.target().id())).containsExactly(vm);
      assertThat(store.recoveryVmsByMachine(pm.id())).containsExactly(vm);
      assertThat(store.recoveryVmsByHost(w.source().id())).isEmpty();
      assertThatThrownBy(() -> store.createRecoveryVm(new RecoveryVm(null, pm.id(), RecoveryVm.FAILOVER, w.target().id(), "pt-2",
          "web-test", RecoveryVm.RUNNING, null, false, true, null, null)))
          .isInstanceOfSatisfying(ConflictException.class, e -> assertThat(e.getMessage()).contains("web-test"));
      assertThatThrownBy(() -> store.createRecoveryVm(new RecoveryVm(null, pm.id(), "SOMETHING", w.target().id(), "pt-2",
          "web-x", RecoveryVm.RUNNING, null, false, true, null, null))).isInstanceOf(StoreException.class);
      // a point a recovery VM runs from is never expired, whoever asks
      assertThat(store.insertPoint(point("pt-1", pm, T0))).isTrue();
      assertThat(store.insertPoint(point("pt-0", pm, T0.minusSeconds(5)))).isTrue();
      assertThat(store.markExpiring(List.of("pt-1", "pt-0"))).isEqualTo(1);
      assertThat(store.point("pt-1").orElseThrow().state()).isEqualTo(RecoveryPoint.AVAILABLE);
      assertThat(store.updateRecoveryVm(vm.id(), RecoveryVm.REMOVED, "pt-1")).isTrue();
      assertThat(store.recoveryVm(vm.id()).orElseThrow().desired()).isEqualTo(RecoveryVm.REMOVED);
      assertThat(store.updateRecoveryVm("rvm-nope", RecoveryVm.REMOVED, "pt-1")).isFalse();
      store.deleteProtectedMachine(pm.id());
      assertThat(store.recoveryVm(vm.id())).isEmpty();
    }

    @Test
    void concurrentStateChangesLetOneWin() throws Exception {
      ProtectedMachine pm = protect(world(), "web");
      List<Boolean> wins = concurrently(8, () -> store.updateState(pm.id(), 0, "PROTECTED", T0));
      assertThat(wins.stream().filter(b -> b)).hasSize(1);
      assertThat(store.protectedMachine(pm.id()).orElseThrow().version()).isEqualTo(1);
    }

    @Test
    void healthReplicationAndLatestPoint() {
      ProtectedMachine pm = protect(world(), "web");
      clock.advance(Duration.ofSeconds(5));
      store.updateHealth(pm.id(), "WARNING", "RPO 20 min over 15 min");
      store.updateReplication(pm.id(), "{\"phase\":\"SENDING\",\"percent\":42.5}", "agent restarted");
      store.updateLatestPoint(pm.id(), "20261123T100000000Z-abcd", T0.plusSeconds(3));
      ProtectedMachine now = store.protectedMachine(pm.id()).orElseThrow();
      assertThat(now.health()).isEqualTo("WARNING");
      assertThat(now.healthReason()).isEqualTo("RPO 20 min over 15 min");
      assertThat(now.replication()).isEqualTo("{\"phase\":\"SENDING\",\"percent\":42.5}");
      assertThat(now.lastError()).isEqualTo("agent restarted");
      assertThat(now.latestPointId()).isEqualTo("20261123T100000000Z-abcd");
      assertThat(now.latestPointAt()).isEqualTo(T0.plusSeconds(3));
      assertThat(now.updatedAt()).isEqualTo(T0.plusSeconds(5));
      assertThat(now.version()).isZero();
      store.updateReplication(pm.id(), null, null);
      assertThat(store.protectedMachine(pm.id()).orElseThrow().replication()).isNull();
      assertThatThrownBy(() -> store.updateHealth("pm-nope", "HEALTHY", null)).isInstanceOf(NotFoundException.class);
      assertThatThrownBy(() -> store.updateHealth(pm.id(), "SO-SO", null)).isInstanceOf(StoreException.class);
      assertThatThrownBy(() -> store.updateReplication(pm.id(), "{", null)).isInstanceOf(StoreException.class).hasMessageContaining(pm.id());
    }

    @Test
    void deletingTakesThePointRecordsAlong() {
      ProtectedMachine pm = protect(world(), "web");
      store.insertPoint(point("p1", pm, T0));
      store.deleteProtectedMachine(pm.id());
      assertThat(store.protectedMachine(pm.id())).isEmpty();
      assertThat(store.point("p1")).isEmpty();
      assertThatThrownBy(() -> store.deleteProtectedMachine(pm.id())).isInstanceOf(NotFoundException.class);
    }
  }

  // ---- recovery points

  @Nested
  class RecoveryPoints {
    @Test
    void newestFirstAndIdempotent() {
      ProtectedMachine pm = protect(world(), "web");
      assertThat(store.insertPoint(point("p1", pm, T0))).isTrue();
      assertThat(store.insertPoint(point("p3", pm, T0.plusSeconds(20)))).isTrue();
      assertThat(store.insertPoint(point("p2", pm, T0.plusSeconds(10)))).isTrue();
      RecoveryPoint changed = new RecoveryPoint("p2", pm.id(), T0.plusSeconds(99), "APP", "FULL", null, 1, 1, "[]", null, null, null);
      assertThat(store.insertPoint(changed)).isFalse();
      assertThat(store.points(pm.id())).extracting(RecoveryPoint::id).containsExactly("p3", "p2", "p1");
      assertThat(store.point("p2")).contains(point("p2", pm, T0.plusSeconds(10)).withState(RecoveryPoint.AVAILABLE));
      assertThat(store.latestPoint(pm.id())).map(RecoveryPoint::id).contains("p3");
      assertThat(store.countPoints(pm.id())).isEqualTo(3);
      assertThatThrownBy(() -> store.insertPoint(new RecoveryPoint("px", "pm-nope", T0, "CRASH", "FULL", null, 0, 0, "[]", null, null, null)))
          .isInstanceOf(NotFoundException.class);
    }

    @Test
    void expiringThenDeleted() {
      ProtectedMachine pm = protect(world(), "web");
      for (int i = 1; i <= 4; i++) {
        store.insertPoint(point("p" + i, pm, T0.plusSeconds(i)));
      }
      assertThat(store.markExpiring(List.of("p1", "p2", "nope"))).isEqualTo(2);
      assertThat(store.markExpiring(List.of("p1"))).isZero();
      assertThat(store.expiringPoints(pm.id())).extracting(RecoveryPoint::id).containsExactly("p1", "p2");
      assertThat(store.points(pm.id())).extracting(RecoveryPoint::id).containsExactly("p4", "p3", "p2", "p1");
      assertThat(store.countPoints(pm.id())).isEqualTo(4);

      Instant at = T0.plusSeconds(100);
      assertThat(store.markDeleted(List.of("p1", "p4"), at)).isEqualTo(2);
      assertThat(store.markDeleted(List.of("p1"), at.plusSeconds(1))).isZero();
      assertThat(store.points(pm.id())).extracting(RecoveryPoint::id).containsExactly("p3", "p2");
      assertThat(store.expiringPoints(pm.id())).extracting(RecoveryPoint::id).containsExactly("p2");
      assertThat(store.point("p1")).hasValueSatisfying(p -> {
        assertThat(p.state()).isEqualTo(RecoveryPoint.DELETED);
        assertThat(p.deletedAt()).isEqualTo(at);
      });
      assertThat(store.latestPoint(pm.id())).map(RecoveryPoint::id).contains("p3");
      assertThat(store.countPoints(pm.id())).isEqualTo(2);
      assertThat(store.markExpiring(List.of())).isZero();
      assertThat(store.markDeleted(List.of(), at)).isZero();
    }

    @Test
    void longIdListsAreFine() {
      ProtectedMachine pm = protect(world(), "web");
      List<String> ids = new ArrayList<>();
      store.useTransaction(tx -> {
        for (int i = 0; i < 1200; i++) {
          String id = "p" + i;
          tx.insertPoint(point(id, pm, T0.plusMillis(i)));
          ids.add(id);
        }
      });
      assertThat(store.markExpiring(ids)).isEqualTo(1200);
      assertThat(store.markDeleted(ids, T0)).isEqualTo(1200);
      assertThat(store.countPoints(pm.id())).isZero();
    }
  }

  // ---- jobs

  @Nested
  class Jobs {
    @Test
    void createAndReadBackEveryField() {
      Instant at = T0.plusSeconds(1);
      Job given = new Job(null, "FAILOVER", "pm-1", Job.RUNNING, "shutdown",
          List.of(new JobStep("shutdown", "RUNNING", at, null, "waiting for the guest"), new JobStep("sync", "PENDING", null, null, null)),
          new JobProgress(10, 100, 10.0, 42L), "{\"point\":\"latest\"}", null, "alice", at, at, null, null);
      Job job = store.createJob(given);
      assertThat(job.id()).startsWith("job-");
      assertThat(job.updatedAt()).isEqualTo(T0);
      assertThat(store.job(job.id())).contains(job);
      String steps = store.jdbi().withHandle(h -> h.createQuery("SELECT steps FROM jobs WHERE id = :id").bind("id", job.id())
          .mapTo(String.class).one());
      assertThat(steps).isEqualTo("[{\"name\":\"shutdown\",\"state\":\"RUNNING\",\"startedAt\":\"2026-11-23T10:00:01Z\",\"endedAt\":null,"
          + "\"message\":\"waiting for the guest\"},{\"name\":\"sync\",\"state\":\"PENDING\",\"startedAt\":null,\"endedAt\":null,\"message\":null}]");
      Job failed = store.updateJob(new Job(job.id(), job.type(), job.targetId(), Job.FAILED, "sync", job.steps(), new JobProgress(0, 0, 0, null),
          job.params(), new JobError("SYNC_FAILED", "the recovery host is unreachable", "check the network"), job.requestedBy(),
          job.createdAt(), job.startedAt(), at.plusSeconds(5), null));
      assertThat(store.job(job.id())).contains(failed);
      assertThat(failed.error().hint()).isEqualTo("check the network");
      assertThat(failed.progress().etaSeconds()).isNull();
      assertThat(failed.endedAt()).isEqualTo(at.plusSeconds(5));
    }

    @Test
    void oneActiveJobPerTarget() {
      Job first = store.createJob(job("FAILOVER", "pm-1", T0));
      assertThatThrownBy(() -> store.createJob(job("TEST_FAILOVER", "pm-1", T0)))
          .isInstanceOfSatisfying(ConflictException.class, e -> {
            assertThat(e.getMessage()).contains(first.id()).contains("FAILOVER").contains("pm-1");
            assertThat(e.existingId()).contains(first.id());
          });
      Job other = store.createJob(job("FAILOVER", "pm-2", T0));
      assertThat(store.activeJobFor("pm-1")).contains(first);
      store.updateJob(first.withState(Job.CANCELLING));
      assertThatThrownBy(() -> store.createJob(job("RESYNC", "pm-1", T0))).isInstanceOf(ConflictException.class);
      store.updateJob(first.withState(Job.CANCELLED));
      Job second = store.createJob(job("RESYNC", "pm-1", T0.plusSeconds(1)));
      assertThat(store.activeJobFor("pm-1")).contains(second);
      assertThat(store.activeJobs()).extracting(Job::id).containsExactlyInAnyOrder(other.id(), second.id());
      // re-activating the ended one would make two
      assertThatThrownBy(() -> store.updateJob(store.job(first.id()).orElseThrow().withState(Job.QUEUED)))
          .isInstanceOfSatisfying(ConflictException.class, e -> assertThat(e.existingId()).contains(second.id()));
      // jobs without a target are not limited
      store.createJob(job("GC", null, T0));
      store.createJob(job("GC", null, T0));
      assertThat(store.activeJobs()).hasSize(4);
    }

    @Test
    void concurrentCreatesForOneTargetLetOneIn() throws Exception {
      List<String> outcomes = concurrently(8, () -> {
        try {
          return store.createJob(job("FAILOVER", "pm-race", T0)).id();
        } catch (ConflictException e) {
          return "conflict:" + e.existingId().orElse("?");
        }
      });
      List<String> created = outcomes.stream().filter(o -> !o.startsWith("conflict:")).toList();
      assertThat(created).hasSize(1);
      assertThat(outcomes).filteredOn(o -> o.startsWith("conflict:")).allMatch(o -> o.equals("conflict:" + created.get(0)));
    }

    @Test
    void activeJobsOldestFirstForResuming() {
      Job b = store.createJob(job("X", "t2", T0.plusSeconds(2)));
      Job a = store.createJob(job("X", "t1", T0.plusSeconds(1)));
      Job done = store.createJob(job("X", "t3", T0).withState(Job.SUCCEEDED));
      assertThat(store.activeJobs()).containsExactly(a, b);
      assertThat(store.activeJobFor("t3")).isEmpty();
      assertThat(store.job(done.id())).isPresent();
    }

    @Test
    void listsAreNewestFirstWithCursors() {
      List<Job> created = new ArrayList<>();
      for (int i = 0; i < 7; i++) {
        Job j = job(i % 2 == 0 ? "EVEN" : "ODD", "t" + i, T0.plusSeconds(i));
        created.add(store.createJob(i == 6 ? j.withState(Job.FAILED) : j));
      }
      // two jobs in the same millisecond still page deterministically
      created.add(store.createJob(job("EVEN", "t7", T0.plusSeconds(6))));
      List<Job> newestFirst = new ArrayList<>(store.jobs(JobFilter.all(100)));
      assertThat(newestFirst).hasSize(8);
      assertThat(newestFirst.subList(2, 8)).extracting(Job::targetId).containsExactly("t5", "t4", "t3", "t2", "t1", "t0");

      List<String> paged = new ArrayList<>();
      JobFilter filter = JobFilter.all(3);
      for (List<Job> page = store.jobs(filter); !page.isEmpty(); page = store.jobs(filter)) {
        assertThat(page.size()).isLessThanOrEqualTo(3);
        page.forEach(j -> paged.add(j.id()));
        filter = filter.after(page.get(page.size() - 1).id());
      }
      assertThat(paged).containsExactlyElementsOf(newestFirst.stream().map(Job::id).toList());

      assertThat(store.jobs(new JobFilter(null, "ODD", null, 100, null))).extracting(Job::targetId).containsExactly("t5", "t3", "t1");
      assertThat(store.jobs(new JobFilter(Job.FAILED, null, null, 100, null))).extracting(Job::targetId).containsExactly("t6");
      assertThat(store.jobs(new JobFilter(null, null, "t2", 100, null))).hasSize(1);
      List<Job> evens = store.jobs(new JobFilter(Job.QUEUED, "EVEN", null, 2, null));
      assertThat(evens).extracting(Job::targetId).containsExactly("t7", "t4");
      assertThat(store.jobs(new JobFilter(Job.QUEUED, "EVEN", null, 2, evens.get(1).id()))).extracting(Job::targetId).containsExactly("t2", "t0");
      assertThatThrownBy(() -> store.jobs(JobFilter.all(3).after("job-nope"))).isInstanceOf(NotFoundException.class).hasMessageContaining("job-nope");
    }

    @Test
    void updatingAnUnknownJobIsNotFound() {
      Job ghost = job("X", "t", T0);
      Job withId = new Job("job-ghost", ghost.type(), ghost.targetId(), ghost.state(), null, ghost.steps(), null, "{}", null, "a", T0, null, null, null);
      assertThatThrownBy(() -> store.updateJob(withId)).isInstanceOf(NotFoundException.class).hasMessageContaining("job-ghost");
    }

    @Test
    void anUnknownStateIsRefusedByTheSchema() {
      assertThatThrownBy(() -> store.createJob(job("X", "t", T0).withState("DONE"))).isInstanceOf(StoreException.class)
          .isNotInstanceOf(ConflictException.class);
    }
  }

  // ---- alerts

  @Nested
  class Alerts {
    @Test
    void raisingIsIdempotentWhileActive() {
      Alert first = store.raiseAlert("RPO", "WARNING", "protected-machine", "pm-1", "RPO 16 min", "check the link", T0);
      clock.advance(Duration.ofMinutes(1));
      Alert again = store.raiseAlert("RPO", "CRITICAL", "protected-machine", "pm-1", "RPO 31 min", "check the agent", T0.plusSeconds(60));
      assertThat(again.id()).isEqualTo(first.id());
      assertThat(again.raisedAt()).isEqualTo(T0);
      assertThat(again).extracting(Alert::severity, Alert::message, Alert::hint).containsExactly("CRITICAL", "RPO 31 min", "check the agent");
      assertThat(store.activeAlerts()).containsExactly(again);
      assertThat(store.alert(first.id())).contains(again);
    }

    @Test
    void clearThenRaiseMakesANewOne() {
      Alert first = store.raiseAlert("RPO", "WARNING", "protected-machine", "pm-1", "late", null, T0);
      assertThat(store.clearAlert("RPO", "pm-1", T0.plusSeconds(5))).isTrue();
      assertThat(store.clearAlert("RPO", "pm-1", T0.plusSeconds(6))).isFalse();
      assertThat(store.clearAlert("NOPE", "pm-1", T0)).isFalse();
      assertThat(store.activeAlerts()).isEmpty();
      Alert second = store.raiseAlert("RPO", "WARNING", "protected-machine", "pm-1", "late again", null, T0.plusSeconds(10));
      assertThat(second.id()).isNotEqualTo(first.id());
      assertThat(store.alertsFor("pm-1")).extracting(Alert::id).containsExactly(second.id(), first.id());
      assertThat(store.alert(first.id())).hasValueSatisfying(a -> assertThat(a.clearedAt()).isEqualTo(T0.plusSeconds(5)));
    }

    @Test
    void concurrentRaisesMakeOneAlert() throws Exception {
      List<String> ids = concurrently(8, () -> store.raiseAlert("AGENT_SILENT", "CRITICAL", "host", "host-1", "silent", null, T0).id());
      assertThat(ids).containsOnly(ids.get(0));
      assertThat(store.activeAlerts()).hasSize(1);
    }

    @Test
    void historyIsPaged() {
      for (int i = 0; i < 5; i++) {
        store.raiseAlert("K" + i, i % 2 == 0 ? "WARNING" : "CRITICAL", "host", "h" + i, "m", null, T0.plusSeconds(i));
      }
      store.clearAlert("K1", "h1", T0.plusSeconds(9));
      List<Alert> page1 = store.alerts(2, null);
      assertThat(page1).extracting(Alert::kind).containsExactly("K4", "K3");
      List<Alert> page2 = store.alerts(2, page1.get(1).id());
      assertThat(page2).extracting(Alert::kind).containsExactly("K2", "K1");
      assertThat(store.alerts(2, page2.get(1).id())).extracting(Alert::kind).containsExactly("K0");
      assertThat(store.activeAlerts()).extracting(Alert::kind).containsExactly("K4", "K3", "K2", "K0");
      assertThatThrownBy(() -> store.alerts(2, "alert-nope")).isInstanceOf(NotFoundException.class);
      assertThatThrownBy(() -> store.raiseAlert("K", "INFO", "host", "h", "m", null, T0)).isInstanceOf(StoreException.class);
    }
  }

  // ---- users and tokens

  @Nested
  class UsersAndTokens {
    @Test
    void usersAreUniqueByName() {
      User alice = store.createUser("alice", User.ADMIN, "pbkdf2-sha256$1$a$b");
      assertThat(alice.id()).startsWith("user-");
      assertThat(alice.disabled()).isFalse();
      assertThat(store.user(alice.id())).contains(alice);
      assertThat(store.userByName("alice")).contains(alice);
      assertThatThrownBy(() -> store.createUser("alice", User.VIEWER, "x"))
          .isInstanceOfSatisfying(ConflictException.class, e -> assertThat(e.existingId()).contains(alice.id()));
      User bob = store.createUser("bob", User.VIEWER, "x");
      assertThat(store.users()).containsExactly(alice, bob);
      User disabled = store.updateUser(new User(bob.id(), "bob", User.OPERATOR, "y", null, true));
      assertThat(disabled.createdAt()).isEqualTo(bob.createdAt());
      assertThat(store.user(bob.id())).contains(disabled);
      assertThatThrownBy(() -> store.updateUser(new User(bob.id(), "alice", User.OPERATOR, "y", null, true))).isInstanceOf(ConflictException.class);
      assertThatThrownBy(() -> store.updateUser(new User("user-nope", "z", User.OPERATOR, "y", null, true))).isInstanceOf(NotFoundException.class);
      assertThatThrownBy(() -> store.createUser("carol", "ROOT", "x")).isInstanceOf(StoreException.class);
    }

    @Test
    void tokensAreFoundByHashWithTheirUser() {
      User alice = store.createUser("alice", User.OPERATOR, "h");
      Token t = store.createToken(alice.id(), "tokhash", "laptop", T0.plus(Duration.ofDays(30)));
      clock.advance(Duration.ofSeconds(1));
      Token forever = store.createToken(alice.id(), "tokhash2", "ci", null);
      assertThat(t.id()).startsWith("token-");
      TokenUser found = store.tokenByHash("tokhash").orElseThrow();
      assertThat(found.token()).isEqualTo(t);
      assertThat(found.user()).isEqualTo(alice);
      assertThat(found.usable(T0)).isTrue();
      assertThat(found.usable(T0.plus(Duration.ofDays(30)))).isFalse();
      assertThat(store.tokenByHash("nope")).isEmpty();

      store.touchToken(t.id(), T0.plusSeconds(7));
      assertThat(store.tokenByHash("tokhash").orElseThrow().token().lastUsedAt()).isEqualTo(T0.plusSeconds(7));
      assertThat(store.tokens(alice.id())).extracting(Token::id).containsExactly(t.id(), forever.id());

      store.updateUser(new User(alice.id(), alice.name(), alice.role(), alice.passwordHash(), null, true));
      assertThat(store.tokenByHash("tokhash2").orElseThrow().usable(T0)).isFalse();

      store.deleteToken(t.id());
      assertThat(store.tokenByHash("tokhash")).isEmpty();
      assertThatThrownBy(() -> store.deleteToken(t.id())).isInstanceOf(NotFoundException.class);
      assertThatThrownBy(() -> store.touchToken(t.id(), T0)).isInstanceOf(NotFoundException.class);
      assertThatThrownBy(() -> store.createToken("user-nope", "h3", "x", null)).isInstanceOf(NotFoundException.class);
      assertThatThrownBy(() -> store.createToken(alice.id(), "tokhash2", "dup", null)).isInstanceOf(ConflictException.class);
    }
  }

  // ---- audit and idempotency

  @Nested
  class AuditAndIdempotency {
    @Test
    void auditIsNewestFirstWithCursorAndActorFilter() {
      List<AuditEntry> appended = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        appended.add(store.appendAudit(new AuditEntry(0, T0.plusSeconds(i), i % 2 == 0 ? "alice" : "bob", "ADMIN",
            "POST /api/v1/sites", "site-" + i, i == 5 ? AuditEntry.DENIED : AuditEntry.OK, i == 5 ? 403 : 201, null)));
      }
      assertThat(appended).extracting(AuditEntry::seq).isSorted().doesNotHaveDuplicates();
      List<AuditEntry> reversed = new ArrayList<>(appended);
      Collections.reverse(reversed);
      assertThat(store.audit(100, null, null)).containsExactlyElementsOf(reversed);
      List<AuditEntry> page = store.audit(2, null, null);
      assertThat(store.audit(2, page.get(1).seq(), null)).containsExactlyElementsOf(reversed.subList(2, 4));
      assertThat(store.audit(100, null, "bob")).extracting(AuditEntry::target).containsExactly("site-5", "site-3", "site-1");
      assertThat(store.audit(100, appended.get(3).seq(), "bob")).extracting(AuditEntry::target).containsExactly("site-1");
      assertThatThrownBy(() -> store.appendAudit(new AuditEntry(0, T0, "x", null, "GET", null, "MAYBE", 200, null)))
          .isInstanceOf(StoreException.class);
    }

    @Test
    void idempotentResponsesAreSavedOnceAndPurged() {
      assertThat(store.idempotent("k1", "alice")).isEmpty();
      IdempotentResponse saved = store.saveIdempotent("k1", "alice", "req-hash", 202, "{\"job\":\"job-1\"}", T0);
      assertThat(store.idempotent("k1", "alice")).contains(saved);
      assertThat(store.idempotent("k1", "bob")).isEmpty();
      store.saveIdempotent("k1", "bob", "other", 202, "{}", T0.plusSeconds(100));
      assertThatThrownBy(() -> store.saveIdempotent("k1", "alice", "req-hash", 500, "{}", T0))
          .isInstanceOf(ConflictException.class).hasMessageContaining("k1");
      assertThat(store.purgeIdempotent(T0.plusSeconds(50))).isEqualTo(1);
      assertThat(store.idempotent("k1", "alice")).isEmpty();
      assertThat(store.idempotent("k1", "bob")).isPresent();
    }
  }
}
