package io.ferry.e2e;

import io.ferry.hypervisor.DomainState;
import io.ferry.hypervisor.Libvirt;
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
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * Primary → recovery → primary, twice, with a real VM: planned failover, commit, reprotect (only the
 * changes since the failover cross the network: a 64 MiB disk that did not change is not sent
 * again), delta failback (phase 1 while the recovery VM runs, the operator's go, phase 2 writes
 * only what changed since), commit, reprotect forward again; every record the guest wrote on
 * either side is there at the end, in order. The second round trip fails back by full download, the
 * third to another host of the primary site, which has no copy of the machine: Ferry creates it there.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RoundTripTest {
    static final int COPY_FREQUENCY = 15;
    static final long STILL = 64L << 20; // vdb: data that never changes
    static final Path RECOVERY_CONSOLES = Libvirt.RECOVERY_CONSOLES;
    static final Pattern VERIFY = Pattern.compile("FERRY-VERIFY records=(\\d+) status=(\\w+)");
    static final Pattern SHUTDOWN = Pattern.compile("FERRY-SHUTDOWN records=(\\d+)");

    Path work;
    TwoSites sites;
    Libvirt lv;
    LabVm vm;
    String pm;
    String dr;
    long writtenAtHome;
    long writtenAway;

    @BeforeAll
    void start() throws Exception {
        assumeFalse(Boolean.getBoolean("ferry.skipVmTests"), "VM tests skipped");
        work = Files.createTempDirectory(Path.of("/var/tmp"), "ferry-e2e-");
        sites = TwoSites.start("frt", work, "e2e-rt");
        lv = Libvirt.system();
        vm = LabVm.create(lv, LabVmSpec.builder().namePrefix("e2e-rt").diskSize(128L << 20).mode(LabVmSpec.Mode.WRITE).rate(20)
                .extraDisk(LabVmSpec.ExtraDisk.prefilled(STILL, 0, STILL, 7)).build());
        dr = vm.name() + "-dr";
        String pairing = sites.pairing("rt", sites.policy("rt", COPY_FREQUENCY, 3600, 0));
        JsonNode job = sites.protect(sites.machineId(vm.name()), pairing);
        succeeds(job, Duration.ofMinutes(4));
        pm = job.get("targetId").asString();
        await().atMost(Duration.ofSeconds(4L * COPY_FREQUENCY)).until(() -> sites.points(pm).size() >= 2);
    }

    @AfterAll
    void stop() throws Exception {
        try {
            if (vm != null) vm.close();
            if (sites != null) sites.close();
        } finally {
            if (lv != null) RecoveryLeftovers.remove(lv, "e2e-rt", "alt-e2e-rt");
            if (work != null) Cleanup.deleteTree(work);
        }
    }

    @Test
    @Order(1)
    void plannedFailoverAndCommit() throws Exception {
        JsonNode failover = sites.api.post("/protected-machines/" + pm + "/failover", Map.of("planned", true, "domainName", dr));
        // the vault restarts while the source shuts down: the job goes on where it was
        await().atMost(Duration.ofSeconds(30)).until(() -> "shutdown-source".equals(sites.job(failover.get("id").asString()).get("step").asString()));
        sites.stopVault();
        sites.startVault();
        succeeds(failover, Duration.ofMinutes(3));
        writtenAtHome = lastNumber(SHUTDOWN, vm.consoleText());
        assertThat(verified(Files.readString(awaitConsole(dr)))).isEqualTo(writtenAtHome);
        succeeds(sites.api.post("/protected-machines/" + pm + "/commit", Map.of()), Duration.ofMinutes(3));
        JsonNode m = sites.protectedMachine(pm);
        assertThat(m.get("state").asString()).isEqualTo("COMMITTED");
        assertThat(m.get("activeDomain").asString()).isEqualTo(dr);
    }

    @Test
    @Order(2)
    void reprotectSendsOnlyWhatChangedSinceTheFailover() {
        String before = sites.protectedMachine(pm).get("latestPointId").asString();
        JsonNode job = sites.api.post("/protected-machines/" + pm + "/reprotect", Map.of());
        assertThat(job.get("type").asString()).isEqualTo("REPROTECT");
        assertThat(sites.protectedMachine(pm).get("state").asString()).isEqualTo("REPROTECTING");
        succeeds(job, Duration.ofMinutes(5));
        JsonNode done = sites.job(job.get("id").asString());
        assertThat(TwoSitesSteps.state(done, "seed")).isEqualTo("DONE");
        JsonNode m = sites.protectedMachine(pm);
        assertThat(m.get("state").asString()).isEqualTo("PROTECTED");
        assertThat(m.get("direction").asString()).isEqualTo("REVERSE");
        JsonNode first = sites.points(pm).stream().filter(p -> !p.get("id").asString().equals(before)).findFirst().orElseThrow();
        long stored = first.get("bytesStored").asLong();
        long read = first.get("bytesRead").asLong();
        System.out.printf("reprotect: first reverse point read %,d bytes, sent and stored %,d%n", read, stored);
        // the recovery VM's disks were read whole on the recovery host, but what the seed already
        // had (the 64 MiB that never changed, the records up to the failover) did not cross the network
        assertThat(read).isGreaterThanOrEqualTo(STILL);
        assertThat(stored).isLessThan(STILL / 8);
    }

    @Test
    @Order(3)
    void deltaFailbackWaitsForTheOperatorAndWritesOnlyWhatChanged() throws Exception {
        await().atMost(Duration.ofSeconds(3L * COPY_FREQUENCY)).until(() -> sites.points(pm).size() >= 2
                && "REVERSE".equals(sites.protectedMachine(pm).get("direction").asString()));
        // a drill while it replicates back runs at home, from the reverse repository there; the recovery VM runs on
        String homeDrill = vm.name() + "-hd";
        succeeds(sites.api.post("/protected-machines/" + pm + "/test-failover", Map.of("domainName", homeDrill)), Duration.ofMinutes(2));
        JsonNode drill = sites.api.list("/protected-machines/" + pm + "/recovery-vms", Map.of()).getFirst();
        assertThat(drill.get("hostId").asString()).isEqualTo(sites.primaryHostId);
        VerifyResult inPoint = PointCheck.verify(sites.primaryRepository("rt" + io.ferry.vault.agents.ReplicationRoute.REVERSE_SUFFIX),
                drill.get("pointId").asString(), work);
        assertThat(verified(Files.readString(awaitConsole(homeDrill)))).isEqualTo(inPoint.records()).isGreaterThanOrEqualTo(writtenAtHome);
        assertThat(lv.state(dr)).isEqualTo(DomainState.RUNNING);
        succeeds(sites.api.post("/protected-machines/" + pm + "/test-failover/cleanup", Map.of()), Duration.ofMinutes(2));
        assertThat(lv.exists(homeDrill)).isFalse();
        assertThat(Files.exists(RECOVERY_CONSOLES.resolve(homeDrill + ".log"))).isFalse();

        JsonNode job = sites.api.post("/protected-machines/" + pm + "/failback", Map.of("sync", "delta", "shutdownTimeoutSeconds", 60));
        String id = job.get("id").asString();
        assertThat(job.get("type").asString()).isEqualTo("FAILBACK");
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1))
                .until(() -> "complete-failover".equals(sites.job(id).get("step").asString()));
        JsonNode waiting = sites.job(id);
        assertThat(TwoSitesSteps.state(waiting, "pre-sync")).isEqualTo("DONE");
        assertThat(waiting.get("state").asString()).isEqualTo("RUNNING");
        // phase 1 is done and the recovery VM still runs: nothing moves until the operator says so
        Thread.sleep(3000);
        assertThat(sites.job(id).get("step").asString()).isEqualTo("complete-failover");
        assertThat(lv.state(dr)).isEqualTo(DomainState.RUNNING);
        assertThat(vm.state()).isEqualTo(DomainState.SHUTOFF);
        // a vault restart while the job waits: it still waits, and nothing moved
        sites.stopVault();
        sites.startVault();
        await().atMost(Duration.ofSeconds(30)).until(() -> "complete-failover".equals(sites.job(id).get("step").asString())
                && "RUNNING".equals(sites.job(id).get("state").asString()));
        assertThat(lv.state(dr)).isEqualTo(DomainState.RUNNING);

        sites.api.post("/jobs/" + id + "/continue", null);
        succeeds(job, Duration.ofMinutes(4));
        JsonNode done = sites.job(id);
        String phase2 = TwoSitesSteps.message(done, "restore");
        System.out.println("failback phase 2: " + phase2);
        Matcher w = Pattern.compile("\\((\\d+) of (\\d+) bytes written\\)").matcher(phase2);
        assertThat(w.find()).as(phase2).isTrue();
        assertThat(Long.parseLong(w.group(1))).as("phase 2 writes only what changed after phase 1").isLessThan(STILL / 8);
        assertThat(Long.parseLong(w.group(2))).isGreaterThanOrEqualTo(STILL);
        assertThat(sites.protectedMachine(pm).get("state").asString()).isEqualTo("FAILED_OVER");
        writtenAway = lastNumber(SHUTDOWN, Files.readString(RECOVERY_CONSOLES.resolve(dr + ".log")));
        assertThat(writtenAway).isGreaterThan(writtenAtHome);
        assertThat(lv.state(dr)).isEqualTo(DomainState.SHUTOFF);
        // the machine runs at home again with every record written away, in order (libvirt started its console file anew)
        await().atMost(Duration.ofSeconds(90)).until(() -> VERIFY.matcher(vm.consoleText()).find());
        assertThat(vm.state()).isEqualTo(DomainState.RUNNING);
        assertThat(verified(vm.consoleText())).isEqualTo(writtenAway);
    }

    @Test
    @Order(4)
    void commitAndReprotectForwardAgainLoseNothing() throws Exception {
        succeeds(sites.api.post("/protected-machines/" + pm + "/commit", Map.of()), Duration.ofMinutes(2));
        String before = sites.protectedMachine(pm).get("latestPointId").asString();
        JsonNode job = sites.api.post("/protected-machines/" + pm + "/reprotect", Map.of());
        succeeds(job, Duration.ofMinutes(5));
        JsonNode m = sites.protectedMachine(pm);
        assertThat(m.get("state").asString()).isEqualTo("PROTECTED");
        assertThat(m.get("direction").asString()).isEqualTo("FORWARD");
        JsonNode first = sites.points(pm).stream().filter(p -> !p.get("id").asString().equals(before)).findFirst().orElseThrow();
        // what crossed the network: what the guest wrote at home since the failback, not the disks again
        VerifyResult atFirst = PointCheck.verify(sites.repository("rt"), first.get("id").asString(), work);
        long writtenSince = (atFirst.records() - writtenAway) * 4096;
        System.out.printf("reprotect forward: first point read %,d bytes, sent and stored %,d; the guest wrote %,d bytes at home"
                + " since the failback%n", first.get("bytesRead").asLong(), first.get("bytesStored").asLong(), writtenSince);
        assertThat(atFirst.ok()).isTrue();
        assertThat(first.get("bytesRead").asLong()).isGreaterThanOrEqualTo(STILL);
        assertThat(first.get("bytesStored").asLong()).isLessThanOrEqualTo(writtenSince + (3L << 20));
        // replication goes on forward: a later point at the recovery site holds every record, home and away, in order
        String latest = first.get("id").asString();
        await().atMost(Duration.ofSeconds(3L * COPY_FREQUENCY)).until(() -> !sites.points(pm).getFirst().get("id").asString().equals(latest));
        VerifyResult r = PointCheck.verify(sites.repository("rt"), sites.points(pm).getFirst().get("id").asString(), work);
        assertThat(r.ok()).as("%s", r).isTrue();
        assertThat(r.records()).isGreaterThanOrEqualTo(writtenAway);
    }

    @Test
    @Order(5)
    void aSecondRoundTripWithAFullDownloadFailbackWritesEveryChunk() throws Exception {
        String dr2 = vm.name() + "-dr2";
        succeeds(sites.api.post("/protected-machines/" + pm + "/failover", Map.of("planned", true, "domainName", dr2)), Duration.ofMinutes(3));
        long atHome = lastNumber(SHUTDOWN, vm.consoleText());
        assertThat(verified(Files.readString(awaitConsole(dr2)))).isEqualTo(atHome);
        succeeds(sites.api.post("/protected-machines/" + pm + "/commit", Map.of()), Duration.ofMinutes(3));
        succeeds(sites.api.post("/protected-machines/" + pm + "/reprotect", Map.of()), Duration.ofMinutes(5));
        await().atMost(Duration.ofSeconds(3L * COPY_FREQUENCY)).until(() -> "PROTECTED".equals(sites.protectedMachine(pm).get("state").asString()));
        JsonNode job = sites.api.post("/protected-machines/" + pm + "/failback", Map.of("sync", "full", "shutdownTimeoutSeconds", 60));
        succeeds(job, Duration.ofMinutes(5));
        JsonNode done = sites.job(job.get("id").asString());
        assertThat(TwoSitesSteps.state(done, "pre-sync")).isEqualTo("SKIPPED");
        assertThat(TwoSitesSteps.state(done, "complete-failover")).isEqualTo("SKIPPED");
        Matcher w = Pattern.compile("\\((\\d+) of (\\d+) bytes written\\)").matcher(TwoSitesSteps.message(done, "restore"));
        assertThat(w.find()).isTrue();
        assertThat(w.group(1)).as("a full download writes every chunk").isEqualTo(w.group(2));
        long away = lastNumber(SHUTDOWN, Files.readString(RECOVERY_CONSOLES.resolve(dr2 + ".log")));
        await().atMost(Duration.ofSeconds(90)).until(() -> VERIFY.matcher(vm.consoleText()).find());
        assertThat(verified(vm.consoleText())).isEqualTo(away);
        assertThat(away).isGreaterThan(atHome);
        succeeds(sites.api.post("/protected-machines/" + pm + "/commit", Map.of()), Duration.ofMinutes(2));
        assertThat(sites.protectedMachine(pm).get("state").asString()).isEqualTo("COMMITTED");
    }

    @Test
    @Order(6)
    void aThirdRoundTripFailsBackToAnotherHostAndCreatesTheMachineThere() throws Exception {
        // forward again from the machine at home, then away once more
        succeeds(sites.api.post("/protected-machines/" + pm + "/reprotect", Map.of()), Duration.ofMinutes(5));
        String dr3 = vm.name() + "-dr3";
        succeeds(sites.api.post("/protected-machines/" + pm + "/failover", Map.of("planned", true, "domainName", dr3)), Duration.ofMinutes(3));
        long atHome = lastNumber(SHUTDOWN, vm.consoleText());
        assertThat(verified(Files.readString(awaitConsole(dr3)))).isEqualTo(atHome);
        succeeds(sites.api.post("/protected-machines/" + pm + "/commit", Map.of()), Duration.ofMinutes(3));
        succeeds(sites.api.post("/protected-machines/" + pm + "/reprotect", Map.of()), Duration.ofMinutes(5));

        // the machine's own host keeps the reverse repository; a second host of the primary site has no copy of it
        String alt = "alt-" + vm.name();
        String host2 = sites.startSecondPrimary("alt-e2e-rt.*");
        assertThat(lv.exists(alt)).isFalse();
        // a recovery-site host is no alternate location; refused, nothing changes
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> sites.api.post("/protected-machines/" + pm + "/failback",
                Map.of("host", sites.recoveryHostId))).isInstanceOfSatisfying(io.ferry.cli.remote.VaultException.class, e -> {
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.hint()).contains("e2e-primary2");
                });
        assertThat(sites.protectedMachine(pm).get("state").asString()).isEqualTo("PROTECTED");
        Map<String, Object> toHost2 = Map.of("sync", "delta", "host", "e2e-primary2", "domainName", alt, "shutdownTimeoutSeconds", 60);
        String first = awaitCompleteFailover(sites.api.post("/protected-machines/" + pm + "/failback", toHost2));
        // phase 1 created the machine on the second host and wrote the point into its new disks, over the data channel
        long created = bytesWritten(sites.job(first), "pre-sync")[0];
        assertThat(created).as("phase 1 writes the data into empty disks").isGreaterThanOrEqualTo(STILL);
        assertThat(lv.state(alt)).isEqualTo(DomainState.SHUTOFF);
        assertThat(lv.state(dr3)).isEqualTo(DomainState.RUNNING);
        // cancelled there: PROTECTED, the recovery VM runs on; a new failback finds the domain it made and writes only the difference
        sites.api.post("/jobs/" + first + "/cancel", null);
        assertThat(sites.awaitJob(first, Duration.ofSeconds(30))).isEqualTo("CANCELLED");
        assertThat(sites.protectedMachine(pm).get("state").asString()).isEqualTo("PROTECTED");
        assertThat(lv.state(dr3)).isEqualTo(DomainState.RUNNING);
        JsonNode job = sites.api.post("/protected-machines/" + pm + "/failback", toHost2);
        String id = awaitCompleteFailover(job);
        long[] p1 = bytesWritten(sites.job(id), "pre-sync");
        assertThat(p1[0]).as("the domain exists now: phase 1 writes only what changed").isLessThan(STILL / 8);

        sites.api.post("/jobs/" + id + "/continue", null);
        succeeds(job, Duration.ofMinutes(4));
        long[] p2 = bytesWritten(sites.job(id), "restore");
        System.out.printf("failback to another host: phase 1 wrote %,d bytes into new disks (after a cancel, %,d more), phase 2"
                + " %,d of %,d%n", created, p1[0], p2[0], p2[1]);
        assertThat(p2[0]).as("phase 2 writes only what changed after phase 1").isLessThan(STILL / 8);
        long away = lastNumber(SHUTDOWN, Files.readString(RECOVERY_CONSOLES.resolve(dr3 + ".log")));
        assertThat(away).isGreaterThan(atHome);
        // the machine runs on the second host with every record, in order; its old copy at home was not touched
        Path console = RECOVERY_CONSOLES.resolve(alt + ".log");
        await().atMost(Duration.ofSeconds(90)).until(() -> Files.exists(console) && VERIFY.matcher(Files.readString(console)).find());
        assertThat(lv.state(alt)).isEqualTo(DomainState.RUNNING);
        assertThat(verified(Files.readString(console))).isEqualTo(away);
        assertThat(vm.state()).isEqualTo(DomainState.SHUTOFF);
        assertThat(lv.state(dr3)).isEqualTo(DomainState.SHUTOFF);
        JsonNode m = sites.protectedMachine(pm);
        assertThat(m.get("state").asString()).isEqualTo("FAILED_OVER");
        assertThat(m.get("activeDomain").asString()).isEqualTo(alt);

        // commit, and protect it from where it runs now: forward from the second host
        succeeds(sites.api.post("/protected-machines/" + pm + "/commit", Map.of()), Duration.ofMinutes(2));
        String before = sites.protectedMachine(pm).get("latestPointId").asString();
        succeeds(sites.api.post("/protected-machines/" + pm + "/reprotect", Map.of()), Duration.ofMinutes(5));
        assertThat(sites.protectedMachine(pm).get("direction").asString()).isEqualTo("FORWARD");
        await().atMost(Duration.ofSeconds(3L * COPY_FREQUENCY)).until(() -> sites.points(pm).size() >= 2
                && !sites.points(pm).getFirst().get("id").asString().equals(before));
        VerifyResult r = PointCheck.verify(sites.repository("rt"), sites.points(pm).getFirst().get("id").asString(), work);
        assertThat(r.ok()).as("%s", r).isTrue();
        assertThat(r.records()).isGreaterThanOrEqualTo(away);
    }

    @Test
    @Order(7)
    void aPlannedFailoverFromTheOtherHostShutsDownTheDomainThatIsTheMachineNow() throws Exception {
        String alt = "alt-" + vm.name();
        String dr4 = vm.name() + "-dr4";
        succeeds(sites.api.post("/protected-machines/" + pm + "/failover", Map.of("planned", true, "domainName", dr4)), Duration.ofMinutes(3));
        assertThat(lv.state(alt)).isEqualTo(DomainState.SHUTOFF);
        long atHost2 = lastNumber(SHUTDOWN, Files.readString(RECOVERY_CONSOLES.resolve(alt + ".log")));
        assertThat(verified(Files.readString(awaitConsole(dr4)))).as("every record written on the second host").isEqualTo(atHost2);
        assertThat(vm.state()).as("the machine's old domain at home stays off").isEqualTo(DomainState.SHUTOFF);
    }

    /** Waits until a delta failback waits for the operator; returns its id. */
    private String awaitCompleteFailover(JsonNode job) {
        String id = job.get("id").asString();
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1)).until(() -> "complete-failover".equals(
                sites.job(id).get("step").asString()) || !"RUNNING".equals(sites.job(id).get("state").asString()));
        JsonNode waiting = sites.job(id);
        assertThat(waiting.get("step").asString()).as("%s%s", waiting, sites.diagnostics()).isEqualTo("complete-failover");
        assertThat(waiting.get("state").asString()).isEqualTo("RUNNING");
        return id;
    }

    /** {written, total} of a restore step's message "(N of M bytes written)". */
    private static long[] bytesWritten(JsonNode job, String step) {
        Matcher w = Pattern.compile("\\((\\d+) of (\\d+) bytes written\\)").matcher(TwoSitesSteps.message(job, step));
        assertThat(w.find()).as("%s", job).isTrue();
        return new long[] {Long.parseLong(w.group(1)), Long.parseLong(w.group(2))};
    }

    private void succeeds(JsonNode job, Duration max) {
        String id = job.get("id").asString();
        String state;
        try {
            state = sites.awaitJob(id, max);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("job " + id + " did not end within " + max + ": " + sites.job(id) + sites.diagnostics(), e);
        }
        assertThat(state).as("job %s%s", sites.job(id), sites.diagnostics()).isEqualTo("SUCCEEDED");
    }

    private static long lastNumber(Pattern p, String text) {
        Matcher m = p.matcher(text);
        long last = -1;
        while (m.find()) last = Long.parseLong(m.group(1));
        assertThat(last).as("%s in %s", p, text).isGreaterThanOrEqualTo(0);
        return last;
    }

    /** The record count of the last boot's verifier, which must have found its disk consistent. */
    private static long verified(String console) {
        Matcher m = VERIFY.matcher(console);
        String status = null;
        long records = -1;
        while (m.find()) {
            records = Long.parseLong(m.group(1));
            status = m.group(2);
        }
        assertThat(status).as(console).isEqualTo("ok");
        return records;
    }

    private Path awaitConsole(String domain) throws Exception {
        Path console = RECOVERY_CONSOLES.resolve(domain + ".log");
        try { // a TCG guest reading its disk through the export while the block pull runs: slow on 2 busy cores
            await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(500))
                    .until(() -> Files.exists(console) && VERIFY.matcher(Files.readString(console)).find());
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("no verifier line from " + domain + " (" + (lv.exists(domain) ? lv.state(domain) : "no domain")
                    + "); console: " + (Files.exists(console) ? Files.readString(console) : "none") + sites.diagnostics(), e);
        }
        return console;
    }
}
