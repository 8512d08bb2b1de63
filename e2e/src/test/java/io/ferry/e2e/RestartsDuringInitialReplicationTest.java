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

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * Initial replications interrupted for real: the vault stopped and started again in the middle
 * (the job resumes and finishes), and the source agent SIGKILLed in the middle (the restarted
 * agent finishes without storing again the chunks that were already stored).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RestartsDuringInitialReplicationTest {
    static final long MiB = 1L << 20;
    /** Read limit so a 320 MiB initial copy takes ~20 s: long enough to interrupt it. */
    static final long BANDWIDTH = 16 * MiB;

    Path work;
    TwoSites sites;
    String pairing;

    @BeforeAll
    void start() throws Exception {
        assumeFalse(Boolean.getBoolean("ferry.skipVmTests"), "VM tests skipped");
        work = Files.createTempDirectory(Path.of("/var/tmp"), "ferry-e2e-");
        sites = TwoSites.start("frst", work, "e2e-rst");
        // encrypted: the vault makes the pairing's key and hands it to both agents
        pairing = sites.pairing("rst", sites.policy("throttled", 60, 3600, BANDWIDTH, true));
        assertThat(sites.api.get("/pairings/" + pairing).get("encrypted").asBoolean()).isTrue();
    }

    @AfterAll
    void stop() throws Exception {
        if (sites != null) sites.close();
        if (work != null) Cleanup.deleteTree(work);
    }

    /** A VM with 320 MiB of random data (distinct per seed, so nothing deduplicates across tests). */
    private LabVm bigVm(long seed) {
        return LabVm.create(Libvirt.system(), LabVmSpec.builder().namePrefix("e2e-rst").diskSize(256L << 20)
                .mode(LabVmSpec.Mode.WRITE).rate(10).max(0)
                .extraDisk(LabVmSpec.ExtraDisk.prefilled(512 * MiB, 0, 320 * MiB, seed)).build());
    }

    @Test
    @Order(1)
    void aVaultRestartedDuringInitialReplicationResumesTheJobWhichFinishes() throws Exception {
        try (LabVm vm = bigVm(41)) {
            JsonNode job = sites.protect(sites.machineId(vm.name()), pairing);
            String id = job.get("id").asString();
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500)).until(() -> {
                JsonNode j = sites.job(id);
                return j.get("step").asString().equals("initial-replication") && progress(j) > 48 * MiB;
            });
            long before = progress(sites.job(id));
            sites.stopVault();
            Thread.sleep(5000); // agents keep replicating while the vault is down
            sites.startVault();
            JsonNode resumed = sites.job(id);
            assertThat(resumed.get("state").asString()).isEqualTo("RUNNING");
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> !sites.job(id).get("state").asString().matches("QUEUED|RUNNING"));
            JsonNode done = sites.job(id);
            assertThat(done.get("state").asString()).as(done + sites.diagnostics()).isEqualTo("SUCCEEDED");
            assertThat(done.get("steps")).allSatisfy(s -> assertThat(s.get("state").asString()).isEqualTo("DONE"));
            assertThat(before).isLessThan(done.get("progress").get("bytesTotal").asLong());
            String pm = done.get("targetId").asString();
            assertThat(sites.protectedMachine(pm).get("state").asString()).isEqualTo("PROTECTED");
            List<JsonNode> points = sites.points(pm);
            assertThat(points).hasSize(1);
            VerifyResult v = PointCheck.verify(sites.repository("rst"), points.getFirst().get("id").asString(), work,
                    sites.repositoryKey("rst"));
            // encrypted at rest: without the key the repository does not open
            assertThatThrownBy(() -> PointCheck.verify(sites.repository("rst"), points.getFirst().get("id").asString(), work))
                    .hasMessageContaining("rst");
            assertThat(v.ok()).as(v.toString()).isTrue();
            sites.api.post("/protected-machines/" + pm + "/unprotect", java.util.Map.of("deletePoints", false));
            await().atMost(Duration.ofMinutes(1)).until(() -> sites.api.list("/protected-machines", java.util.Map.of()).isEmpty());
        }
    }

    @Test
    @Order(2)
    void aSourceAgentKilledDuringInitialReplicationResumesWithoutStoringStoredChunksAgain() throws Exception {
        try (LabVm vm = bigVm(42)) {
            long base = chunkBytes();
            JsonNode job = sites.protect(sites.machineId(vm.name()), pairing);
            String id = job.get("id").asString();
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500)).until(() -> progress(sites.job(id)) > 96 * MiB);
            sites.primary.kill();
            Thread.sleep(3000); // the recovery side makes what it received durable
            long storedBeforeRestart = chunkBytes() - base;
            assertThat(storedBeforeRestart).as("chunk bytes stored before the kill").isGreaterThan(48 * MiB);
            assertThat(sites.job(id).get("state").asString()).isEqualTo("RUNNING");
            // the vault notices the silent agent: host SILENT, AGENT_SILENT alert (CRITICAL), machine CRITICAL
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
                assertThat(sites.api.get("/hosts/" + sites.primaryHostId).get("status").asString()).isEqualTo("SILENT");
                assertThat(sites.api.list("/alerts", java.util.Map.of("active", "true"))).anySatisfy(a -> {
                    assertThat(a.get("kind").asString()).isEqualTo("AGENT_SILENT");
                    assertThat(a.get("objectId").asString()).isEqualTo(sites.primaryHostId);
                    assertThat(a.get("severity").asString()).isEqualTo("CRITICAL");
                });
            });
            sites.primary.start(); // registered already: no key needed again
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
                assertThat(sites.api.get("/hosts/" + sites.primaryHostId).get("status").asString()).isEqualTo("ONLINE");
                assertThat(sites.api.list("/alerts", java.util.Map.of("active", "true")))
                        .noneMatch(a -> a.get("kind").asString().equals("AGENT_SILENT"));
            });
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> !sites.job(id).get("state").asString().matches("QUEUED|RUNNING"));
            JsonNode done = sites.job(id);
            assertThat(done.get("state").asString()).as(done + sites.diagnostics()).isEqualTo("SUCCEEDED");
            String pm = done.get("targetId").asString();
            JsonNode point = sites.points(pm).getFirst();
            long storedByResumedCopy = point.get("bytesStored").asLong();
            long storedInAll = chunkBytes() - base;
            System.out.printf("chunk bytes stored before the kill %,d; by the resumed copy %,d; in all %,d%n",
                    storedBeforeRestart, storedByResumedCopy, storedInAll);
            // what was stored before the kill was not stored again: the resumed copy wrote only the rest
            assertThat(storedByResumedCopy).isLessThanOrEqualTo(storedInAll - storedBeforeRestart + 2 * MiB);
            assertThat(storedByResumedCopy).isLessThan(storedInAll - 40 * MiB);
            VerifyResult v = PointCheck.verify(sites.repository("rst"), point.get("id").asString(), work, sites.repositoryKey("rst"));
            assertThat(v.ok()).as(v.toString()).isTrue();
        }
    }

    private static long progress(JsonNode job) {
        JsonNode p = job.get("progress");
        return p == null || p.isNull() ? 0 : p.get("bytesDone").asLong();
    }

    /** Bytes of the chunk files that reached their final name in the repository (temporaries excluded). */
    private long chunkBytes() {
        Path chunks = sites.repository("rst").resolve("chunks");
        if (!Files.exists(chunks)) return 0;
        for (int attempt = 0; ; attempt++) {
            try (Stream<Path> s = Files.walk(chunks)) {
                return s.filter(p -> p.getFileName().toString().matches("[0-9a-f]{64}")).mapToLong(p -> {
                    try {
                        return Files.size(p);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }).sum();
            } catch (IOException | UncheckedIOException e) {
                if (attempt > 5) throw new AssertionError("cannot measure " + chunks, e);
            }
        }
    }
}
