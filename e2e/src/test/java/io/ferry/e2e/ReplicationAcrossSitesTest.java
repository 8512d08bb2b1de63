package io.ferry.e2e;

import io.ferry.hypervisor.Libvirt;
import io.ferry.lab.LabVm;
import io.ferry.lab.LabVmSpec;
import io.ferry.lab.VerifyResult;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * Two real VMs on the primary site protected to the recovery site across a network (agents in
 * their own namespaces, joined by a veth pair): initial replication, RPO under guest writes,
 * retention, and a cut of the site link that turns the machine unhealthy with an alert and heals
 * by itself without losing a record.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReplicationAcrossSitesTest {
    static final int COPY_FREQUENCY = 15;
    static final int RETENTION = 60;

    Path work;
    TwoSites sites;
    LabVm vm1;
    LabVm vm2;
    String pm1;
    String pm2;
    final Set<String> seenPoints = new LinkedHashSet<>();

    @BeforeAll
    void start() throws Exception {
        assumeFalse(Boolean.getBoolean("ferry.skipVmTests"), "VM tests skipped");
        work = Files.createTempDirectory(Path.of("/var/tmp"), "ferry-e2e-");
        sites = TwoSites.start("frep", work, "e2e-rep");
        Libvirt lv = Libvirt.system();
        LabVmSpec spec = LabVmSpec.builder().namePrefix("e2e-rep").diskSize(256L << 20).mode(LabVmSpec.Mode.WRITE).rate(20).max(0).build();
        vm1 = LabVm.create(lv, spec);
        vm2 = LabVm.create(lv, spec);
    }

    @AfterAll
    void stop() throws Exception {
        if (vm1 != null) vm1.close();
        if (vm2 != null) vm2.close();
        if (sites != null) sites.close();
        if (work != null) Cleanup.deleteTree(work);
    }

    @Test
    @Order(1)
    void bothMachinesReachProtectedAfterTheirInitialReplication() {
        String policy = sites.policy("fast", COPY_FREQUENCY, RETENTION, 0);
        String pairing = sites.pairing("rep", policy);
        JsonNode j1 = sites.protect(sites.machineId(vm1.name()), pairing);
        JsonNode j2 = sites.protect(sites.machineId(vm2.name()), pairing);
        assertThat(j1.get("type").asString()).isEqualTo("ENABLE_PROTECTION");
        pm1 = j1.get("targetId").asString();
        pm2 = j2.get("targetId").asString();
        for (JsonNode j : List.of(j1, j2)) {
            String id = j.get("id").asString();
            await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofSeconds(2)).failFast(() -> {
                String st = sites.job(id).get("state").asString();
                if (st.equals("FAILED") || st.equals("CANCELLED")) throw new AssertionError("job " + id + " " + sites.job(id) + sites.diagnostics());
            }).until(() -> sites.job(id).get("state").asString().equals("SUCCEEDED"));
            JsonNode done = sites.job(id);
            assertThat(done.get("steps")).allSatisfy(s -> assertThat(s.get("state").asString()).isEqualTo("DONE"));
        }
        for (String pm : List.of(pm1, pm2)) {
            JsonNode m = sites.protectedMachine(pm);
            assertThat(m.get("state").asString()).isEqualTo("PROTECTED");
            assertThat(m.get("latestPointId").isNull()).isFalse();
            List<JsonNode> points = sites.points(pm);
            assertThat(points).hasSize(1);
            assertThat(points.getFirst().get("mode").asString()).isEqualTo("FULL");
        }
    }

    @Test
    @Order(2)
    void rpoStaysWithinTwiceTheCopyFrequencyWhileTheGuestsWrite() throws Exception {
        double worst = 0;
        Instant end = Instant.now().plusSeconds(80);
        while (Instant.now().isBefore(end)) {
            for (String pm : List.of(pm1, pm2)) {
                JsonNode m = sites.protectedMachine(pm);
                worst = Math.max(worst, m.get("rpoSeconds").asDouble());
                assertThat(m.get("state").asString()).isEqualTo("PROTECTED");
                sites.points(pm).forEach(p -> seenPoints.add(pm + "/" + p.get("id").asString()));
            }
            Thread.sleep(2000);
        }
        System.out.printf("worst RPO over 80 s with copy frequency %d s: %.1f s%n", COPY_FREQUENCY, worst);
        assertThat(worst).isLessThanOrEqualTo(2.0 * COPY_FREQUENCY);
        for (String pm : List.of(pm1, pm2)) {
            List<JsonNode> points = sites.points(pm);
            assertThat(points.size()).as("points of %s", pm).isGreaterThanOrEqualTo(4);
            assertThat(points.getFirst().get("mode").asString()).isEqualTo("INCREMENTAL");
            assertThat(sites.protectedMachine(pm).get("health").asString()).isEqualTo("HEALTHY");
        }
        // the guest writes all the time: the latest point holds a consistent, growing record log
        String latest = sites.protectedMachine(pm1).get("latestPointId").asString();
        VerifyResult v = PointCheck.verify(sites.repository("rep"), latest, work);
        assertThat(v.ok()).as(v.toString()).isTrue();
        assertThat(v.records()).isPositive();
    }

    @Test
    @Order(3)
    void retentionDeletesPointsOlderThanTheWindowFromTheRepository() {
        // the first point of each machine is older than the 60 s window by now
        List<String> first = new ArrayList<>();
        for (String pm : List.of(pm1, pm2)) {
            List<JsonNode> points = sites.points(pm);
            first.add(seenPoints.stream().filter(s -> s.startsWith(pm + "/")).findFirst().orElseThrow().substring(pm.length() + 1));
            assertThat(points).isNotEmpty();
        }
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
            for (int i = 0; i < 2; i++) {
                String pm = List.of(pm1, pm2).get(i);
                String id = first.get(i);
                assertThat(sites.points(pm)).noneMatch(p -> p.get("id").asString().equals(id));
                assertThat(Files.exists(sites.repository("rep").resolve("points").resolve(id)))
                        .as("manifest of expired point %s still in the repository", id).isFalse();
                Instant oldestAllowed = Instant.now().minusSeconds(RETENTION + 2L * COPY_FREQUENCY);
                assertThat(sites.points(pm)).allSatisfy(p ->
                        assertThat(Instant.parse(p.get("createdAt").asString())).isAfter(oldestAllowed));
            }
        });
    }

    @Test
    @Order(4)
    void aCutSiteLinkMakesTheMachineUnhealthyWithAnAlertAndItHealsByItselfLosingNothing() throws Exception {
        String before = sites.protectedMachine(pm1).get("latestPointId").asString();
        VerifyResult atCut = PointCheck.verify(sites.repository("rep"), before, work);
        assertThat(atCut.ok()).as(atCut.toString()).isTrue();
        String[] duringCut = {before};
        sites.net.cutSiteLink();
        try {
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
                JsonNode m = sites.protectedMachine(pm1);
                assertThat(m.get("health").asString()).isIn("WARNING", "CRITICAL");
                assertThat(activeAlerts("RPO_BREACHED", pm1)).isNotEmpty();
                // the cycle that cannot reach the recovery site fails (after its request timeout) and says so
                assertThat(m.get("lastError").isNull()).isFalse();
                assertThat(m.get("lastError").asString()).contains(sites.net.siteB().getHostAddress());
            });
            // while the link is down no point can be committed (one in flight at the cut may have landed before)
            String during = sites.protectedMachine(pm1).get("latestPointId").asString();
            Thread.sleep(2L * COPY_FREQUENCY * 1000 / 3);
            assertThat(sites.protectedMachine(pm1).get("latestPointId").asString()).isEqualTo(during);
            duringCut[0] = during;
        } finally {
            sites.net.restoreSiteLink();
        }
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
            JsonNode m = sites.protectedMachine(pm1);
            assertThat(m.get("health").asString()).isEqualTo("HEALTHY");
            assertThat(activeAlerts("RPO_BREACHED", pm1)).isEmpty();
            assertThat(m.get("latestPointId").asString()).isNotEqualTo(duringCut[0]);
        });
        // the alert is in the history, cleared
        assertThat(sites.api.list("/alerts", Map.of("active", "false"))).anySatisfy(a -> {
            assertThat(a.get("kind").asString()).isEqualTo("RPO_BREACHED");
            assertThat(a.get("objectId").asString()).isEqualTo(pm1);
            assertThat(a.get("clearedAt").isNull()).isFalse();
        });
        String after = sites.protectedMachine(pm1).get("latestPointId").asString();
        VerifyResult healed = PointCheck.verify(sites.repository("rep"), after, work);
        assertThat(healed.ok()).as(healed.toString()).isTrue();
        assertThat(healed.records()).as("records after the outage").isGreaterThan(atCut.records());
        assertThat(sites.protectedMachine(pm1).get("state").asString()).isEqualTo("PROTECTED");
    }

    @Test
    @Order(5)
    void theCliListsAndUnprotectsRemovingCheckpointsAndPoints() throws Exception {
        Path ca = work.resolve("ca.pem");
        Files.writeString(ca, sites.vault().ca().certificatePem());
        Cli cli = new Cli(work.resolve("cli.json"));
        Cli.Result login = cli.run(TwoSites.ADMIN_PASSWORD + "\n", "login", "--vault", "https://127.0.0.1:" + sites.vault().port(),
                "--ca-file", ca.toString(), "--user", "admin", "--password-stdin");
        assertThat(login.exit()).as(login.toString()).isZero();

        Cli.Result protectedList = cli.run(null, "protected", "-o", "json");
        assertThat(protectedList.exit()).as(protectedList.toString()).isZero();
        JsonNode list = io.ferry.vault.Vault.json().readTree(protectedList.out());
        assertThat(list.toString()).contains(vm1.name(), vm2.name()).contains("PROTECTED");
        Cli.Result table = cli.run(null, "points", vm1.name());
        assertThat(table.exit()).as(table.toString()).isZero();
        assertThat(table.out()).contains("INCREMENTAL").contains(sites.protectedMachine(pm1).get("latestPointId").asString());

        Cli.Result unprotect = cli.run(null, "unprotect", vm2.name(), "--delete-points", "--wait");
        assertThat(unprotect.exit()).as(unprotect.toString()).isZero();
        // the source agent removed Ferry's checkpoints (QEMU's dirty bitmaps) of the domain…
        assertThat(Libvirt.system().checkpoints(vm2.name())).noneMatch(c -> c.name().startsWith("ferry-"));
        // …the recovery agent deleted every point of the machine, and the vault forgot it
        try (var repo = io.ferry.repository.Repository.openLocal(sites.repository("rep"), new io.ferry.repository.KeySource.None())) {
            assertThat(repo.points()).noneMatch(p -> p.machine().equals(vm2.name()));
            assertThat(repo.points()).anyMatch(p -> p.machine().equals(vm1.name()));
        }
        assertThat(sites.api.list("/protected-machines", Map.of())).extracting(n -> n.get("id").asString()).containsExactly(pm1);
        assertThat(sites.api.list("/audit", Map.of())).anySatisfy(a -> {
            assertThat(a.get("action").asString()).isEqualTo("unprotect");
            assertThat(a.get("actor").asString()).isEqualTo("admin");
            assertThat(a.get("outcome").asString()).isEqualTo("OK");
        });
        // the machine left under protection keeps replicating
        String last = sites.protectedMachine(pm1).get("latestPointId").asString();
        await().atMost(Duration.ofSeconds(45)).pollInterval(Duration.ofSeconds(2))
                .until(() -> !sites.protectedMachine(pm1).get("latestPointId").asString().equals(last));
        assertThat(sites.protectedMachine(pm1).get("state").asString()).isEqualTo("PROTECTED");
    }

    @Test
    @Order(6)
    void lostChangeTrackingRaisesAnAlertAndAResyncByDigestsBringsTheMachineBack() throws Exception {
        Libvirt lv = Libvirt.system();
        // someone deletes Ferry's checkpoint: the dirty bitmap the next incremental needs is gone
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() -> {
            for (var c : lv.checkpoints(vm1.name())) {
                if (c.name().startsWith("ferry-")) lv.deleteCheckpoint(vm1.name(), c.name());
            }
            assertThat(lv.checkpoints(vm1.name())).noneMatch(c -> c.name().startsWith("ferry-"));
        });
        Instant lost = Instant.now();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            assertThat(activeAlerts("RESYNC_REQUIRED", pm1).size() + clearedSince("RESYNC_REQUIRED", pm1, lost)).isPositive();
            assertThat(sites.api.list("/jobs", Map.of("type", "RESYNC"))).anySatisfy(j ->
                    assertThat(j.get("targetId").asString()).isEqualTo(pm1));
        });
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
            assertThat(sites.protectedMachine(pm1).get("state").asString()).isEqualTo("PROTECTED");
            assertThat(sites.points(pm1)).anySatisfy(p -> assertThat(p.get("mode").asString()).isEqualTo("RESYNC"));
            assertThat(activeAlerts("RESYNC_REQUIRED", pm1)).isEmpty();
        });
        JsonNode resync = sites.api.list("/jobs", Map.of("type", "RESYNC")).getFirst();
        assertThat(resync.get("state").asString()).isEqualTo("SUCCEEDED");
        JsonNode point = sites.points(pm1).stream().filter(p -> p.get("mode").asString().equals("RESYNC")).findFirst().orElseThrow();
        // a resync reads the whole disk but stores only what differs from the last point
        assertThat(point.get("bytesStored").asLong()).isLessThan(point.get("bytesRead").asLong() / 4);
        VerifyResult v = PointCheck.verify(sites.repository("rep"), point.get("id").asString(), work);
        assertThat(v.ok()).as(v.toString()).isTrue();
        // and replication is incremental again afterwards
        await().atMost(Duration.ofSeconds(45)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() ->
                assertThat(sites.points(pm1).getFirst().get("mode").asString()).isEqualTo("INCREMENTAL"));
    }

    private long clearedSince(String kind, String objectId, Instant since) {
        return sites.api.list("/alerts", Map.of("active", "false")).stream()
                .filter(a -> a.get("kind").asString().equals(kind) && a.get("objectId").asString().equals(objectId)
                        && Instant.parse(a.get("raisedAt").asString()).isAfter(since.minusSeconds(1))).count();
    }

    private List<JsonNode> activeAlerts(String kind, String objectId) {
        return sites.api.list("/alerts", Map.of("active", "true")).stream()
                .filter(a -> a.get("kind").asString().equals(kind) && a.get("objectId").asString().equals(objectId)
                        && (a.get("clearedAt") == null || a.get("clearedAt").isNull())).toList();
    }
}
