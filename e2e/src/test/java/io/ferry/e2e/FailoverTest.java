package io.ferry.e2e;

import io.ferry.hypervisor.DomainState;
import io.ferry.hypervisor.ImageInfo;
import io.ferry.hypervisor.Libvirt;
import io.ferry.hypervisor.QemuImg;
import io.ferry.lab.LabVm;
import io.ferry.lab.RecoveryLeftovers;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * The operations operators buy a DR system for, with real VMs across two sites: a drill from the
 * latest and from an older point (the copy boots from the export and its own verifier passes,
 * the primary keeps replicating, cleanup leaves nothing), a planned failover that loses no record
 * and one that refuses because the guest ignores the shutdown, commit, and an unplanned failover
 * to a chosen point with the primary agent killed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FailoverTest {
    static final int COPY_FREQUENCY = 15;
    static final Path RECOVERY_IMAGES = Libvirt.RECOVERY_IMAGES;
    static final Path RECOVERY_CONSOLES = Libvirt.RECOVERY_CONSOLES;
    static final Pattern VERIFY = Pattern.compile("FERRY-VERIFY records=(\\d+) status=(\\w+)");
    static final Pattern NIC = Pattern.compile("FERRY-NIC name=(\\S+) mac=(\\S+)");
    /** vm1's NIC is on the primary network; the pairing maps it to the recovery network. */
    static final String PRIMARY_NET = "e2e-fo-a";
    static final String RECOVERY_NET = "e2e-fo-b";

    Path work;
    TwoSites sites;
    Libvirt lv;
    LabVm vm1;
    LabVm vm2;
    String pm1;
    String pm2;
    String pairing;

    @BeforeAll
    void start() throws Exception {
        assumeFalse(Boolean.getBoolean("ferry.skipVmTests"), "VM tests skipped");
        work = Files.createTempDirectory(Path.of("/var/tmp"), "ferry-e2e-");
        sites = TwoSites.start("ffo", work, "e2e-fo");
        lv = Libvirt.system();
        lv.createIsolatedNetwork(PRIMARY_NET);
        lv.createIsolatedNetwork(RECOVERY_NET);
        LabVmSpec spec = LabVmSpec.builder().namePrefix("e2e-fo").diskSize(128L << 20).mode(LabVmSpec.Mode.WRITE).rate(20).build();
        vm1 = LabVm.create(lv, spec.toBuilder().network(PRIMARY_NET).build());
        vm2 = LabVm.create(lv, spec.toBuilder().ignoreAcpi(true).build());
        pairing = sites.pairing("fo", sites.policy("fo", COPY_FREQUENCY, 3600, 0), Map.of(PRIMARY_NET, RECOVERY_NET));
        pm1 = protect(vm1);
        pm2 = protect(vm2);
        // the first (full) copy may be taken before the guest wrote anything: wait for an incremental
        for (String pm : List.of(pm1, pm2)) {
            await().atMost(Duration.ofSeconds(4L * COPY_FREQUENCY)).pollInterval(Duration.ofSeconds(1)).until(() -> sites.points(pm).size() >= 2);
        }
    }

    private String protect(LabVm vm) {
        JsonNode job = sites.protect(sites.machineId(vm.name()), pairing);
        assertThat(finish(job, Duration.ofMinutes(4))).as("%s%s", job, sites.diagnostics())
                .isEqualTo("SUCCEEDED");
        return job.get("targetId").asString();
    }

    @AfterAll
    void stop() throws Exception {
        try {
            if (vm1 != null) vm1.close();
            if (vm2 != null) vm2.close();
            if (sites != null) sites.close();
        } finally {
            // recovery VMs a failed test or a commit left (a committed VM is the operator's, not Ferry's)
            if (lv != null) {
                RecoveryLeftovers.remove(lv, "e2e-fo");
                lv.removeNetwork(PRIMARY_NET);
                lv.removeNetwork(RECOVERY_NET);
            }
            if (work != null) Cleanup.deleteTree(work);
        }
    }

    @Test
    @Order(1)
    void aDrillFromTheLatestPointBootsOnAnIsolatedNetworkWhileReplicationGoesOn() throws Exception {
        String before = sites.protectedMachine(pm1).get("latestPointId").asString();
        VerifyResult inPoint = PointCheck.verify(sites.repository("fo"), before, work);
        assertThat(inPoint.records()).isPositive();
        JsonNode job = sites.api.post("/protected-machines/" + pm1 + "/test-failover", Map.of("domainName", vm1.name() + "-drill"));
        assertThat(job.get("type").asString()).isEqualTo("TEST_FAILOVER");
        succeeds(job, Duration.ofMinutes(2));
        JsonNode pm = sites.protectedMachine(pm1);
        assertThat(pm.get("testFailover").asString()).isEqualTo("RUNNING");
        assertThat(pm.get("state").asString()).isEqualTo("PROTECTED");
        JsonNode rvm = sites.api.list("/protected-machines/" + pm1 + "/recovery-vms", Map.of()).getFirst();
        String drill = rvm.get("domainName").asString();
        String network = rvm.get("network").asString();
        assertThat(rvm.get("kind").asString()).isEqualTo("TEST");
        assertThat(lv.state(drill)).isEqualTo(DomainState.RUNNING);
        assertThat(lv.networks()).contains(network);
        // the copy boots from the point and its own verifier passes
        assertThat(rvm.get("pointId").asString()).isEqualTo(before);
        Matcher v = awaitConsole(drill, VERIFY, Duration.ofSeconds(90));
        assertThat(v.group(2)).isEqualTo("ok");
        assertThat(Long.parseLong(v.group(1))).isEqualTo(inPoint.records());
        // the copy's NIC is on the isolated network with a new MAC (the source's MAC stays the source's)
        String sourceMac = lv.interfaces(vm1.name()).getFirst().mac();
        assertThat(lv.interfaces(drill)).singleElement().satisfies(n -> {
            assertThat(n.source()).isEqualTo(network);
            assertThat(n.mac()).isNotEqualTo(sourceMac);
        });
        assertThat(awaitConsole(drill, NIC, Duration.ofSeconds(10)).group(2)).as("the MAC the drill's guest sees")
                .isEqualTo(lv.interfaces(drill).getFirst().mac()).isNotEqualTo(sourceMac);
        // the primary keeps running and replicating within its RPO while the drill runs
        await().atMost(Duration.ofSeconds(3L * COPY_FREQUENCY)).pollInterval(Duration.ofSeconds(1))
                .until(() -> !sites.protectedMachine(pm1).get("latestPointId").asString().equals(before)
                        && !sites.protectedMachine(pm1).get("latestPointId").asString().equals(rvm.get("pointId").asString()));
        assertThat(vm1.state()).isEqualTo(DomainState.RUNNING);
        assertThat(sites.protectedMachine(pm1).get("rpoSeconds").asDouble()).isLessThanOrEqualTo(2.0 * COPY_FREQUENCY);

        cleanUpDrill(drill, network);
    }

    @Test
    @Order(2)
    void aDrillFromAnOlderPointHoldsFewerRecordsAndCleansUp() throws Exception {
        List<JsonNode> points = sites.points(pm1);
        assertThat(points.size()).isGreaterThanOrEqualTo(3);
        String oldest = points.get(points.size() - 2).get("id").asString(); // older, but not the full copy of an empty disk
        VerifyResult inPoint = PointCheck.verify(sites.repository("fo"), oldest, work);
        JsonNode job = sites.api.post("/protected-machines/" + pm1 + "/test-failover", Map.of("point", oldest, "domainName", vm1.name() + "-old"));
        succeeds(job, Duration.ofMinutes(2));
        JsonNode rvm = sites.api.list("/protected-machines/" + pm1 + "/recovery-vms", Map.of()).getFirst();
        assertThat(rvm.get("pointId").asString()).isEqualTo(oldest);
        Matcher v = awaitConsole(rvm.get("domainName").asString(), VERIFY, Duration.ofSeconds(90));
        assertThat(v.group(2)).isEqualTo("ok");
        // exactly the records of that point: not one from later
        assertThat(Long.parseLong(v.group(1))).isEqualTo(inPoint.records());
        cleanUpDrill(rvm.get("domainName").asString(), rvm.get("network").asString());
    }

    private void cleanUpDrill(String drill, String network) throws Exception {
        JsonNode clean = sites.api.post("/protected-machines/" + pm1 + "/test-failover/cleanup", Map.of());
        succeeds(clean, Duration.ofMinutes(2));
        assertThat(sites.protectedMachine(pm1).get("testFailover").asString()).isEqualTo("NONE");
        assertThat(lv.domainNames()).doesNotContain(drill);
        assertThat(lv.networks()).doesNotContain(network);
        assertThat(ours(RECOVERY_IMAGES, drill)).isEmpty();
        assertThat(ours(RECOVERY_CONSOLES, drill)).isEmpty();
        assertThat(sites.api.list("/protected-machines/" + pm1 + "/recovery-vms", Map.of())).isEmpty();
        assertThat(vm1.state()).isEqualTo(DomainState.RUNNING);
    }

    @Test
    @Order(3)
    void aPlannedFailoverOfAGuestThatIgnoresTheShutdownRefusesAndChangesNothing() {
        JsonNode job = sites.api.post("/protected-machines/" + pm2 + "/failover", Map.of("planned", true,
                "shutdownTimeoutSeconds", 15, "domainName", vm2.name() + "-dr"));
        assertThat(finish(job, Duration.ofMinutes(2))).isEqualTo("FAILED");
        JsonNode done = sites.job(job.get("id").asString());
        assertThat(done.get("error").get("code").asString()).isEqualTo("SOURCE_NOT_SHUT_DOWN");
        assertThat(done.get("error").get("message").asString()).contains(vm2.name()).contains("PROTECTED");
        assertThat(done.get("error").get("hint").asString()).contains("--unplanned");
        assertThat(sites.protectedMachine(pm2).get("state").asString()).isEqualTo("PROTECTED");
        assertThat(vm2.state()).isEqualTo(DomainState.RUNNING);
        assertThat(lv.domainNames()).doesNotContain(vm2.name() + "-dr");
        assertThat(sites.api.list("/protected-machines/" + pm2 + "/recovery-vms", Map.of())).isEmpty();
    }

    @Test
    @Order(4)
    void aPlannedFailoverLosesNoRecordAndCommitMakesTheVmIndependent() throws Exception {
        String dr = vm1.name() + "-dr";
        JsonNode job = sites.api.post("/protected-machines/" + pm1 + "/failover", Map.of("planned", true, "domainName", dr));
        assertThat(job.get("type").asString()).isEqualTo("PLANNED_FAILOVER");
        succeeds(job, Duration.ofMinutes(3));
        assertThat(sites.protectedMachine(pm1).get("state").asString()).isEqualTo("FAILED_OVER");
        assertThat(vm1.state()).isEqualTo(DomainState.SHUTOFF);
        Matcher last = Pattern.compile("FERRY-SHUTDOWN records=(\\d+)").matcher(vm1.consoleText());
        assertThat(last.find()).as("source console: %s", vm1.consoleText()).isTrue();
        long written = Long.parseLong(last.group(1));
        Matcher v = awaitConsole(dr, VERIFY, Duration.ofSeconds(90));
        assertThat(v.group(2)).isEqualTo("ok");
        // every record the guest wrote before it shut down is at the recovery site, not one more
        assertThat(Long.parseLong(v.group(1))).isEqualTo(written);
        // the failover VM keeps the machine's MAC, on the network the pairing maps its network to
        String sourceMac = lv.interfaces(vm1.name()).getFirst().mac();
        assertThat(lv.interfaces(dr)).singleElement().satisfies(n -> {
            assertThat(n.source()).isEqualTo(RECOVERY_NET);
            assertThat(n.mac()).isEqualTo(sourceMac);
        });
        assertThat(awaitConsole(dr, NIC, Duration.ofSeconds(10)).group(2)).as("the MAC the recovered guest sees").isEqualTo(sourceMac);

        JsonNode commit = sites.api.post("/protected-machines/" + pm1 + "/commit", Map.of());
        succeeds(commit, Duration.ofMinutes(3));
        assertThat(sites.protectedMachine(pm1).get("state").asString()).isEqualTo("COMMITTED");
        assertThat(lv.state(dr)).isEqualTo(DomainState.RUNNING);
        ImageInfo img = QemuImg.info(RECOVERY_IMAGES.resolve(dr + "-vda.qcow2"));
        assertThat(img.backingFile()).as("the committed VM no longer reads the repository").isNull();
        assertThat(sites.api.list("/protected-machines/" + pm1 + "/recovery-vms", Map.of())).isEmpty();
        // a commit cannot be repeated, a failover of a committed machine is refused
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> sites.api.post("/protected-machines/" + pm1 + "/commit", Map.of()))
                .isInstanceOfSatisfying(io.ferry.cli.remote.VaultException.class, e -> {
                    assertThat(e.status()).isEqualTo(409);
                    assertThat(e.code()).isEqualTo("WRONG_STATE");
                    assertThat(e.getMessage()).contains(vm1.name()).contains("COMMITTED");
                });
    }

    @Test
    @Order(5)
    void anUnplannedFailoverWithThePrimaryAgentKilledUsesTheChosenPoint() throws Exception {
        // a point that is not the latest: the operator's choice, not Ferry's
        await().atMost(Duration.ofSeconds(4L * COPY_FREQUENCY)).until(() -> sites.points(pm2).size() >= 2);
        String chosen = sites.points(pm2).get(1).get("id").asString();
        VerifyResult inPoint = PointCheck.verify(sites.repository("fo"), chosen, work);
        sites.primary.kill();
        String dr = vm2.name() + "-dr";
        JsonNode job = sites.api.post("/protected-machines/" + pm2 + "/failover", Map.of("planned", false, "point", chosen,
                "shutdownSource", true, "shutdownTimeoutSeconds", 10, "domainName", dr));
        succeeds(job, Duration.ofMinutes(3));
        JsonNode done = sites.job(job.get("id").asString());
        assertThat(done.get("steps").get(0).get("state").asString()).as("shutdown of an unreachable source is skipped").isEqualTo("SKIPPED");
        assertThat(sites.protectedMachine(pm2).get("state").asString()).isEqualTo("FAILED_OVER");
        JsonNode rvm = sites.api.list("/protected-machines/" + pm2 + "/recovery-vms", Map.of()).getFirst();
        assertThat(rvm.get("pointId").asString()).isEqualTo(chosen);
        Matcher v = awaitConsole(dr, VERIFY, Duration.ofSeconds(90));
        assertThat(v.group(2)).isEqualTo("ok");
        assertThat(Long.parseLong(v.group(1))).isEqualTo(inPoint.records());
        assertThat(inPoint.records()).isPositive();
        recordsAtUnplannedPoint = inPoint.records();
    }

    long recordsAtUnplannedPoint;

    @Test
    @Order(6)
    void reprotectAfterAnUnplannedFailoverSendsOnlyTheChunksThatDiffer() throws Exception {
        sites.primary.start(); // the primary site is back; its machine kept running and writing meanwhile
        await().atMost(Duration.ofSeconds(60)).until(() -> sites.api.list("/hosts", Map.of()).stream()
                .allMatch(h -> "ONLINE".equals(h.get("status").asString())));
        succeeds(sites.api.post("/protected-machines/" + pm2 + "/commit", Map.of()), Duration.ofMinutes(3));
        String before = sites.protectedMachine(pm2).get("latestPointId").asString();
        JsonNode job = sites.api.post("/protected-machines/" + pm2 + "/reprotect", Map.of());
        succeeds(job, Duration.ofMinutes(5));
        assertThat(TwoSitesSteps.state(sites.job(job.get("id").asString()), "seed")).isEqualTo("DONE");
        assertThat(sites.protectedMachine(pm2).get("direction").asString()).isEqualTo("REVERSE");
        JsonNode first = sites.points(pm2).stream().filter(p -> !p.get("id").asString().equals(before)).findFirst().orElseThrow();
        VerifyResult atFirst = PointCheck.verify(sites.primaryRepository("fo-back"), first.get("id").asString(), work);
        assertThat(atFirst.ok()).as("%s", atFirst).isTrue();
        long writtenAway = (atFirst.records() - recordsAtUnplannedPoint) * 4096;
        long stored = first.get("bytesStored").asLong();
        System.out.printf("reprotect after unplanned failover: %,d bytes sent; the recovery VM wrote %,d bytes since the point,"
                + " the point held %,d bytes of records%n", stored, writtenAway, recordsAtUnplannedPoint * 4096);
        // the records up to the chosen point are on both sides: digests kept them off the network
        assertThat(stored).isLessThanOrEqualTo(writtenAway + (3L << 20));
        assertThat(recordsAtUnplannedPoint * 4096).isGreaterThan(3L << 20);
    }

    private void succeeds(JsonNode job, Duration max) {
        String state = finish(job, max);
        assertThat(state).as("job %s%s", sites.job(job.get("id").asString()), sites.diagnostics()).isEqualTo("SUCCEEDED");
    }

    /** A drill a failed test left running would make every later test fail for the wrong reason. */
    @org.junit.jupiter.api.AfterEach
    void cleanUpLeftDrills() {
        for (String pm : java.util.Arrays.asList(pm1, pm2)) {
            if (pm == null || "NONE".equals(sites.protectedMachine(pm).get("testFailover").asString())) continue;
            try {
                finish(sites.api.post("/protected-machines/" + pm + "/test-failover/cleanup", Map.of()), Duration.ofMinutes(2));
            } catch (RuntimeException e) {
                System.err.println("could not clean up the drill of " + pm + ": " + e);
            }
        }
    }

    /** Waits for the job to end; its final state, or an error with the job and the agents' logs. */
    private String finish(JsonNode job, Duration max) {
        String id = job.get("id").asString();
        try {
            return sites.awaitJob(id, max);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("job " + id + " did not end within " + max + ": " + sites.job(id) + sites.diagnostics(), e);
        }
    }

    private Matcher awaitConsole(String domain, Pattern p, Duration max) {
        Path console = RECOVERY_CONSOLES.resolve(domain + ".log");
        Map<String, Matcher> found = new HashMap<>();
        await().atMost(max).pollInterval(Duration.ofMillis(500)).until(() -> {
            if (!Files.exists(console)) return false;
            Matcher m = p.matcher(Files.readString(console));
            if (!m.find()) return false;
            found.put("m", m);
            return true;
        });
        return found.get("m");
    }

    private static List<Path> ours(Path dir, String prefix) throws Exception {
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(f -> f.getFileName().toString().startsWith(prefix)).toList();
        }
    }
}
