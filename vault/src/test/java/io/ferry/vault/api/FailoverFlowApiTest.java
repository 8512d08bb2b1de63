package io.ferry.vault.api;

import io.ferry.protocol.HeartbeatResponse;
import io.ferry.protocol.PointReport;
import io.ferry.protocol.PowerAssignment;
import io.ferry.protocol.PowerReport;
import io.ferry.protocol.RecoveryVmAssignment;
import io.ferry.protocol.RecoveryVmReport;
import io.ferry.protocol.ReplicationReport;
import io.ferry.protocol.RepositoryReport;
import io.ferry.protocol.ErrorInfo;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Test failover, planned and unplanned failover, change point and commit through the API, with
 * the agents at the protocol boundary (kvm-east: source of web-1 and db-1; kvm-west: recovery
 * host): what each job asks of which agent, how it waits for their reports, wrong-state and
 * concurrent requests refused without a change, cancel, a failed start, and a vault restart in
 * the middle of a failover. The real agents and VMs are in e2e's FailoverTest.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FailoverFlowApiTest extends FailoverApiFixture {
    @Test
    @Order(1)
    void operationsInTheWrongStateAreRefusedAndChangeNothing() {
        int jobs = http.get(Http.API + "/jobs?limit=500", operator).json().get("items").size();
        refused(post("/protected-machines/" + web + "/commit", Map.of()), 409, "WRONG_STATE", "web-1", "PROTECTED");
        refused(post("/protected-machines/" + web + "/change-point", Map.of("point", p1)), 409, "WRONG_STATE", "web-1");
        refused(post("/protected-machines/" + web + "/test-failover/cleanup", Map.of()), 409, "WRONG_STATE", "web-1");
        refused(post("/protected-machines/" + web + "/test-failover", Map.of("point", "nope")), 404, "NOT_FOUND", "nope");
        refused(post("/protected-machines/" + web + "/failover", Map.of("planned", true, "point", p1)), 400, "INVALID_ARGUMENT", "planned");
        refused(post("/protected-machines/" + web + "/failover", Map.of()), 400, "INVALID_ARGUMENT", "planned");
        refused(post("/protected-machines/" + web + "/failover", Map.of("planned", false, "shutdownTimeoutSeconds", 1)), 400,
                "INVALID_ARGUMENT", "shutdownTimeoutSeconds");
        refused(post("/protected-machines/" + web + "/test-failover", Map.of("domainName", "../etc")), 400, "INVALID_ARGUMENT", "domainName");
        refused(post("/protected-machines/nope/failover", Map.of("planned", false)), 404, "NOT_FOUND", "nope");
        // a viewer may look, not act
        String viewer = userWithRole("victor", "VIEWER");
        assertThat(http.post(Http.API + "/protected-machines/" + web + "/test-failover", viewer, Map.of()).status()).isEqualTo(403);
        assertThat(http.get(Http.API + "/jobs?limit=500", operator).json().get("items").size()).isEqualTo(jobs);
        assertThat(pm(web).get("state").asString()).isEqualTo("PROTECTED");
        assertThat(pm(web).get("testFailover").asString()).isEqualTo("NONE");
    }

    @Test
    @Order(2)
    void aDrillBootsFromThePointOnAnIsolatedNetworkAndItsCleanupRemovesIt() {
        JsonNode job = started(post("/protected-machines/" + web + "/test-failover", Map.of("point", p1, "domainName", "web-1-drill")),
                "TEST_FAILOVER");
        assertThat(names(job.get("steps"), "name")).containsExactly("select-point", "start-vm");
        assertThat(job.get("cancellable").asBoolean()).isTrue();
        // a second operation while the drill starts: the running job is named
        refused(post("/protected-machines/" + web + "/failover", Map.of("planned", false)), 409, "CONFLICT", job.get("id").asString());
        until(List.of(), List.of(), atStep("start-vm"), job.get("id").asString());
        RecoveryVmAssignment a = assigned("web-1-drill");
        assertThat(a.kind()).isEqualTo("TEST");
        assertThat(a.desired()).isEqualTo("RUNNING");
        assertThat(a.pointId()).isEqualTo(p1);
        assertThat(a.machine()).isEqualTo("web-1");
        assertThat(a.repository()).isEqualTo("east-west");
        assertThat(a.domain()).isEqualTo("web-1-drill");
        assertThat(a.network()).startsWith("ferry-iso-");
        assertThat(a.createNetwork()).isTrue();
        assertThat(a.keepMac()).isFalse();
        assertThat(pm(web).get("testFailover").asString()).isEqualTo("STARTING");
        // replication goes on during the drill
        assertThat(src.heartbeat().sources()).extracting(s -> s.protectedMachineId()).contains(web);

        RecoveryVmReport running = new RecoveryVmReport(a.id(), "RUNNING", a.domain(), p1, false, Instant.now(), null);
        until(List.of(running), List.of(), inState("SUCCEEDED"), job.get("id").asString());
        assertThat(pm(web).get("testFailover").asString()).isEqualTo("RUNNING");
        assertThat(pm(web).get("state").asString()).isEqualTo("PROTECTED");
        JsonNode vms = http.get(Http.API + "/protected-machines/" + web + "/recovery-vms", operator).json().get("items");
        assertThat(vms).hasSize(1);
        assertThat(vms.get(0).get("phase").asString()).isEqualTo("RUNNING");
        // no failover and no second drill while one runs
        refused(post("/protected-machines/" + web + "/failover", Map.of("planned", true)), 409, "WRONG_STATE", "test failover");
        refused(post("/protected-machines/" + web + "/test-failover", Map.of()), 409, "WRONG_STATE", "RUNNING");

        JsonNode clean = started(post("/protected-machines/" + web + "/test-failover/cleanup", Map.of()), "TEST_FAILOVER_CLEANUP");
        assertThat(pm(web).get("testFailover").asString()).isEqualTo("CLEANING_UP");
        await().atMost(WAIT).until(() -> {
            HeartbeatResponse hb = rec.heartbeatReply(List.of(), List.of(), List.of(), List.of(running), List.of()).as(HeartbeatResponse.class);
            return hb.recoveryVms().size() == 1 && hb.recoveryVms().getFirst().desired().equals("REMOVED");
        });
        assertThat(job(clean.get("id").asString()).get("state").asString()).as("waits for the agent").isEqualTo("RUNNING");
        RecoveryVmReport removed = new RecoveryVmReport(a.id(), "REMOVED", a.domain(), null, false, null, null);
        until(List.of(removed), List.of(), inState("SUCCEEDED"), clean.get("id").asString());
        assertThat(pm(web).get("testFailover").asString()).isEqualTo("NONE");
        assertThat(rec.heartbeat().recoveryVms()).isEmpty();
        assertThat(http.get(Http.API + "/protected-machines/" + web + "/recovery-vms", operator).json().get("items")).isEmpty();
    }

    @Test
    @Order(3)
    void aDrillThatCannotStartIsCleanedUpByItself() {
        JsonNode job = started(post("/protected-machines/" + web + "/test-failover", Map.of("domainName", "web-1-bad")), "TEST_FAILOVER");
        until(List.of(), List.of(), atStep("start-vm"), job.get("id").asString());
        RecoveryVmAssignment a = assigned("web-1-bad");
        assertThat(a.pointId()).as("latest").isEqualTo(p2);
        RecoveryVmReport error = new RecoveryVmReport(a.id(), "ERROR", a.domain(), a.pointId(), false, null,
                ErrorInfo.of("RECOVERY_VM_FAILED", "cannot start recovery VM web-1-bad: boom", "see the agent log"));
        until(List.of(error), List.of(), inState("FAILED"), job.get("id").asString());
        JsonNode failed = job(job.get("id").asString());
        assertThat(failed.at("/error/code").asString()).isEqualTo("RECOVERY_VM_FAILED");
        assertThat(failed.at("/error/message").asString()).contains("web-1-bad").contains("boom");
        // the follow-up cleanup removes what the agent may have made
        RecoveryVmReport removed = new RecoveryVmReport(a.id(), "REMOVED", a.domain(), null, false, null, null);
        await().atMost(WAIT).until(() -> {
            rec.heartbeatReply(List.of(), List.of(), List.of(), List.of(removed), List.of());
            return "NONE".equals(pm(web).get("testFailover").asString())
                    && http.get(Http.API + "/jobs?targetId=" + web + "&type=TEST_FAILOVER_CLEANUP&state=SUCCEEDED", operator)
                    .json().get("items").size() == 2;
        });
    }

    @Test
    @Order(4)
    void aPlannedFailoverCancelledWhileTheSourceShutsDownLeavesTheMachineProtected() {
        JsonNode job = started(post("/protected-machines/" + web + "/failover", Map.of("planned", true, "shutdownTimeoutSeconds", 60,
                "domainName", "web-1-dr")), "PLANNED_FAILOVER");
        assertThat(names(job.get("steps"), "name")).containsExactly("shutdown-source", "final-sync", "start-vm");
        assertThat(pm(web).get("state").asString()).isEqualTo("FAILING_OVER");
        PowerAssignment power = src.heartbeat().power().getFirst();
        assertThat(power.domain()).isEqualTo("web-1");
        assertThat(power.timeoutSeconds()).isEqualTo(60);
        assertThat(src.heartbeat().sources()).extracting(s -> s.syncRequest()).containsOnlyNulls();

        Http.Reply cancel = http.post(Http.API + "/jobs/" + job.get("id").asString() + "/cancel", operator, null);
        assertThat(cancel.status()).as("%s", cancel).isEqualTo(202);
        until(List.of(), List.of(), inState("CANCELLED"), job.get("id").asString());
        assertThat(job(job.get("id").asString()).at("/error/message").asString()).contains("PROTECTED");
        assertThat(pm(web).get("state").asString()).isEqualTo("PROTECTED");
        assertThat(src.heartbeat().power()).isEmpty();
        assertThat(rec.heartbeat().recoveryVms()).isEmpty();

        // shut off, then started again by something else during the final sync: no second copy starts
        JsonNode again = started(post("/protected-machines/" + web + "/failover", Map.of("planned", true, "domainName", "web-1-dr")),
                "PLANNED_FAILOVER");
        String id = again.get("id").asString();
        String powerId = src.heartbeat().power().getFirst().id();
        Instant off = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        until(List.of(), List.of(new PowerReport(powerId, "SHUT_OFF", off, null)), atStep("final-sync"), id);
        PowerReport restarted = new PowerReport(powerId, "RESTARTED", off.plusSeconds(1), io.ferry.protocol.ErrorInfo.of(
                "SOURCE_RESTARTED", "web-1 was started again (RUNNING) after Ferry shut it down at " + off, "find what started it"));
        until(List.of(), List.of(restarted), inState("FAILED"), id);
        JsonNode failed = job(id);
        assertThat(failed.at("/error/code").asString()).isEqualTo("SOURCE_RESTARTED");
        assertThat(failed.at("/error/message").asString()).contains("web-1").contains("started again").contains("PROTECTED");
        assertThat(pm(web).get("state").asString()).isEqualTo("PROTECTED");
        assertThat(rec.heartbeat().recoveryVms()).isEmpty();
        assertThat(src.heartbeat().power()).isEmpty();
        assertThat(src.heartbeat().sources()).extracting(x -> x.protectedMachineId()).contains(web);
    }

    @Test
    @Order(5)
    void aPlannedFailoverWaitsForTheFinalSyncSurvivesAVaultRestartAndCommits() throws Exception {
        JsonNode job = started(post("/protected-machines/" + web + "/failover", Map.of("planned", true, "domainName", "web-1-dr")),
                "PLANNED_FAILOVER");
        String id = job.get("id").asString();
        String powerId = src.heartbeat().power().getFirst().id();
        Instant off = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        PowerReport shutOff = new PowerReport(powerId, "SHUT_OFF", off, null);
        until(List.of(), List.of(shutOff), atStep("final-sync"), id);
        // the source is asked for a cycle now (the final sync), and the job waits for a point frozen after the shutdown
        AtomicReference<HeartbeatResponse> asked = new AtomicReference<>();
        await().atMost(WAIT).until(() -> {
            asked.set(src.heartbeatReply(List.of(), List.of(), List.of(), List.of(), List.of(shutOff)).as(HeartbeatResponse.class));
            return !asked.get().sources().isEmpty() && id.equals(asked.get().sources().stream()
                    .filter(s -> s.protectedMachineId().equals(web)).findFirst().orElseThrow().syncRequest());
        });
        // a point frozen before the shutdown is not the final sync
        PointReport early = point("p3-" + System.nanoTime(), p2, off.minusSeconds(1));
        src.heartbeatReply(List.of(idle(web, List.of(early))), List.of(), List.of(), List.of(), List.of(shutOff));
        Thread.sleep(1500);
        assertThat(job(id).get("step").asString()).isEqualTo("final-sync");

        // the vault stops and starts again in the middle of the job
        restartVault();
        // connections kept alive to the old process are dead: the first call of each client may fail once
        await().atMost(WAIT).ignoreExceptions().until(() -> src.heartbeatReply(List.of(), List.of(), List.of(), List.of(),
                List.of(shutOff)).status() == 200 && rec.heartbeatReply(List.of(), List.of(), List.of()).status() == 200
                && http.get(Http.API + "/jobs/" + id, operator).status() == 200);

        PointReport last = point("p4-" + System.nanoTime(), early.id(), off.plusMillis(500));
        AtomicReference<HeartbeatResponse> recAsked = new AtomicReference<>();
        await().atMost(WAIT).until(() -> {
            src.heartbeatReply(List.of(idle(web, List.of(last))), List.of(), List.of(), List.of(), List.of(shutOff));
            recAsked.set(rec.heartbeat());
            return !recAsked.get().recoveryVms().isEmpty();
        });
        RecoveryVmAssignment a = recAsked.get().recoveryVms().getFirst();
        assertThat(a.kind()).isEqualTo("FAILOVER");
        assertThat(a.pointId()).as("the final-sync point").isEqualTo(last.id());
        assertThat(a.keepMac()).isTrue();
        assertThat(a.network()).isNull();
        assertThat(a.domain()).isEqualTo("web-1-dr");
        assertThat(job(id).get("id").asString()).isEqualTo(id);
        RecoveryVmReport running = new RecoveryVmReport(a.id(), "RUNNING", a.domain(), last.id(), false, Instant.now(), null);
        until(List.of(running), List.of(), inState("SUCCEEDED"), id);
        assertThat(pm(web).get("state").asString()).isEqualTo("FAILED_OVER");
        assertThat(src.heartbeat().sources()).extracting(s -> s.protectedMachineId()).doesNotContain(web);

        // before commit, another point; then commit
        JsonNode change = started(post("/protected-machines/" + web + "/change-point", Map.of("point", p2)), "CHANGE_POINT");
        await().atMost(WAIT).until(() -> rec.heartbeat().recoveryVms().getFirst().pointId().equals(p2));
        RecoveryVmReport fromP2 = new RecoveryVmReport(a.id(), "RUNNING", a.domain(), p2, true, Instant.now(), null);
        until(List.of(fromP2), List.of(), inState("SUCCEEDED"), change.get("id").asString());
        assertThat(pm(web).get("state").asString()).isEqualTo("FAILED_OVER");

        JsonNode commit = started(post("/protected-machines/" + web + "/commit", Map.of()), "COMMIT");
        await().atMost(WAIT).until(() -> "RELEASED".equals(rec.heartbeat().recoveryVms().getFirst().desired()));
        RecoveryVmReport released = new RecoveryVmReport(a.id(), "RELEASED", a.domain(), p2, true, Instant.now(), null);
        until(List.of(released), List.of(), inState("SUCCEEDED"), commit.get("id").asString());
        assertThat(pm(web).get("state").asString()).isEqualTo("COMMITTED");
        assertThat(rec.heartbeat().recoveryVms()).isEmpty();
        refused(post("/protected-machines/" + web + "/commit", Map.of()), 409, "WRONG_STATE", "COMMITTED");
    }

    @Test
    @Order(6)
    void withTheSourceSilentAPlannedFailoverIsRefusedAndAnUnplannedOneGoesOn() throws Exception {
        Thread.sleep(3500); // kvm-east stops calling in: SILENT after 3 s
        rec.heartbeat();
        refused(post("/protected-machines/" + db + "/failover", Map.of("planned", true, "domainName", "db-1-dr")), 409, "WRONG_STATE",
                "silent");
        JsonNode job = started(post("/protected-machines/" + db + "/failover", Map.of("planned", false, "shutdownSource", true,
                "domainName", "db-1-dr")), "UNPLANNED_FAILOVER");
        AtomicReference<HeartbeatResponse> asked = new AtomicReference<>();
        await().atMost(WAIT).until(() -> {
            asked.set(rec.heartbeat());
            return asked.get().recoveryVms().stream().anyMatch(v -> v.domain().equals("db-1-dr"));
        });
        JsonNode j = job(job.get("id").asString());
        assertThat(step(j, "shutdown-source").get("state").asString()).isEqualTo("SKIPPED");
        assertThat(step(j, "shutdown-source").get("message").asString()).contains("silent");
        assertThat(pm(db).get("state").asString()).isEqualTo("FAILING_OVER");
        RecoveryVmAssignment a = asked.get().recoveryVms().stream().filter(v -> v.domain().equals("db-1-dr")).findFirst().orElseThrow();
        assertThat(a.kind()).isEqualTo("FAILOVER");
        RecoveryVmReport running = new RecoveryVmReport(a.id(), "RUNNING", a.domain(), a.pointId(), false, Instant.now(), null);
        await().atMost(WAIT).until(() -> {
            rec.heartbeatReply(List.of(), List.of(), List.of(), List.of(running), List.of());
            return job(job.get("id").asString()).get("state").asString().equals("SUCCEEDED");
        });
        assertThat(pm(db).get("state").asString()).isEqualTo("FAILED_OVER");
    }

    @Test
    @Order(7)
    void reprotectSeedsTheOldDiskThenReplicatesBackInReverse() {
        refused(post("/protected-machines/" + db + "/reprotect", Map.of()), 409, "WRONG_STATE", "db-1");
        refused(post("/protected-machines/" + db + "/failback", Map.of()), 409, "WRONG_STATE", "never failed over");
        src.dataAddress = "127.0.0.1:10"; // the primary receives the reverse replication
        JsonNode job = started(post("/protected-machines/" + web + "/reprotect", Map.of()), "REPROTECT");
        String id = job.get("id").asString();
        assertThat(names(job.get("steps"), "name")).containsExactly("prepare-repository", "seed", "initial-replication");
        assertThat(pm(web).get("state").asString()).isEqualTo("REPROTECTING");
        assertThat(pm(web).get("direction").asString()).isEqualTo("REVERSE");
        // the primary keeps the reverse repository, written by the recovery site's hosts
        AtomicReference<HeartbeatResponse> home = new AtomicReference<>();
        await().atMost(WAIT).until(() -> {
            home.set(src.heartbeat());
            return home.get().repositories().stream().anyMatch(r -> r.name().equals("east-west-back"));
        });
        assertThat(home.get().repositories().stream().filter(r -> r.name().equals("east-west-back")).findFirst().orElseThrow()
                .writers()).containsExactly(rec.hostId);
        src.heartbeat(List.of(), List.of(new RepositoryReport("east-west-back", true, List.of(), List.of(), 0, 0, null)), List.of());
        // then the seed: the old disk of web-1, captured locally on the primary
        await().atMost(WAIT).until(() -> {
            home.set(src.heartbeat(List.of(), List.of(new RepositoryReport("east-west-back", true, List.of(), List.of(), 0, 0, null)),
                    List.of()));
            return !home.get().seeds().isEmpty();
        });
        assertThat(home.get().seeds().getFirst().domain()).isEqualTo("web-1");
        assertThat(home.get().seeds().getFirst().repository()).isEqualTo("east-west-back");
        assertThat(rec.heartbeat().sources()).as("nothing replicates before the seed is in").isEmpty();
        src.seeds = List.of(new io.ferry.protocol.SeedReport(home.get().seeds().getFirst().id(), true, "seed-1", 10 * GIB, 2 * GIB, null));
        AtomicReference<HeartbeatResponse> away = new AtomicReference<>();
        await().atMost(WAIT).until(() -> {
            src.heartbeat();
            away.set(rec.heartbeat());
            return !away.get().sources().isEmpty();
        });
        var a = away.get().sources().getFirst();
        assertThat(a.domain()).isEqualTo("web-1-dr");
        assertThat(a.repository()).isEqualTo("east-west-back");
        assertThat(a.recoveryHostId()).isEqualTo(src.hostId);
        assertThat(a.recoveryDataAddress()).isEqualTo("127.0.0.1:10");
        assertThat(a.allowResync()).isTrue();
        PointReport back = new PointReport("r1-" + System.nanoTime(), "east-west-back", Instant.now(), "CRASH", "FULL", null,
                10 * GIB, GIB / 100, List.of("vda"), Instant.now().minusSeconds(1));
        await().atMost(WAIT).until(() -> {
            rec.heartbeat(List.of(idle(web, List.of(back))), List.of(), List.of());
            src.heartbeat();
            return job(id).get("state").asString().equals("SUCCEEDED");
        });
        assertThat(step(job(id), "seed").get("message").asString()).contains("web-1");
        assertThat(pm(web).get("state").asString()).isEqualTo("PROTECTED");
        assertThat(pm(web).get("latestPointId").asString()).isEqualTo(back.id());
        src.seeds = List.of();
    }

    @Test
    @Order(8)
    void aDeltaFailbackWaitsForTheOperatorAndEndsAtHome() {
        // a drill while it replicates back runs at home, from the reverse repository; a forward point is not one of it
        refused(post("/protected-machines/" + web + "/test-failover", Map.of("point", p1)), 404, "NOT_FOUND", "east-west-back");
        JsonNode homeDrill = started(post("/protected-machines/" + web + "/test-failover", Map.of("domainName", "web-1-hd")),
                "TEST_FAILOVER");
        AtomicReference<HeartbeatResponse> atHome = new AtomicReference<>();
        await().atMost(WAIT).until(() -> {
            atHome.set(src.heartbeat());
            return !atHome.get().recoveryVms().isEmpty();
        });
        RecoveryVmAssignment drill = atHome.get().recoveryVms().getFirst();
        assertThat(drill.kind()).isEqualTo("TEST");
        assertThat(drill.repository()).isEqualTo("east-west-back");
        assertThat(drill.domain()).isEqualTo("web-1-hd");
        assertThat(drill.keepMac()).isFalse();
        assertThat(rec.heartbeat().recoveryVms()).as("nothing runs at the recovery site for it")
                .noneMatch(v -> v.machine().equals("web-1") && v.kind().equals("TEST"));
        RecoveryVmReport up = new RecoveryVmReport(drill.id(), "RUNNING", drill.domain(), drill.pointId(), false, Instant.now(), null);
        await().atMost(WAIT).until(() -> {
            src.heartbeatReply(List.of(), List.of(), List.of(), List.of(up), List.of());
            return "SUCCEEDED".equals(job(homeDrill.get("id").asString()).get("state").asString());
        });
        JsonNode clean = started(post("/protected-machines/" + web + "/test-failover/cleanup", Map.of()), "TEST_FAILOVER_CLEANUP");
        RecoveryVmReport gone = new RecoveryVmReport(drill.id(), "REMOVED", drill.domain(), null, false, null, null);
        await().atMost(WAIT).until(() -> {
            src.heartbeatReply(List.of(), List.of(), List.of(), List.of(gone), List.of());
            return "SUCCEEDED".equals(job(clean.get("id").asString()).get("state").asString());
        });
        assertThat(pm(web).get("testFailover").asString()).isEqualTo("NONE");
        assertThat(src.heartbeat().recoveryVms()).isEmpty();

        // the old copy still runs at home: Ferry will not write into it
        JsonNode refusedJob = started(post("/protected-machines/" + web + "/failback", Map.of("sync", "delta")), "FAILBACK");
        until(List.of(), List.of(), inState("FAILED"), refusedJob.get("id").asString());
        assertThat(job(refusedJob.get("id").asString()).at("/error/message").asString()).contains("web-1").contains("runs");
        assertThat(pm(web).get("state").asString()).isEqualTo("PROTECTED");

        // ... nor does a full download: it is refused before the recovery VM is shut down
        JsonNode fullRefused = started(post("/protected-machines/" + web + "/failback", Map.of("sync", "full")), "FAILBACK");
        until(List.of(), List.of(), inState("FAILED"), fullRefused.get("id").asString());
        assertThat(step(job(fullRefused.get("id").asString()), "shutdown-source").get("message").asString())
                .contains("before anything was shut down");
        assertThat(rec.heartbeat().power()).isEmpty();
        assertThat(pm(web).get("state").asString()).isEqualTo("PROTECTED");

        // an alternate location: a host of the primary site, never another protected machine's domain
        Http.Reply wrongSite = post("/protected-machines/" + web + "/failback", Map.of("host", rec.hostId));
        refused(wrongSite, 400, "INVALID_ARGUMENT", "web-1", "primary site");
        assertThat(wrongSite.json().path("hint").asString()).contains("kvm-east");
        refused(post("/protected-machines/" + web + "/failback", Map.of("host", "kvm-nowhere")), 400, "INVALID_ARGUMENT", "kvm-nowhere");
        refused(post("/protected-machines/" + web + "/failback", Map.of("host", "kvm-east", "domainName", "db-1")), 409,
                "CONFLICT", "db-1", "protected");
        refused(post("/protected-machines/" + web + "/failback", Map.of("host", "kvm-east", "domainName", "bad name")), 400,
                "INVALID_ARGUMENT", "domainName");
        FakeAgent east2 = agent(eastSite, "kvm-east2");
        east2.heartbeat();
        // ... nor while the machine's own copy runs: two copies would run with one MAC
        JsonNode twoCopies = started(post("/protected-machines/" + web + "/failback", Map.of("host", "kvm-east2")), "FAILBACK");
        until(List.of(), List.of(), inState("FAILED"), twoCopies.get("id").asString());
        assertThat(job(twoCopies.get("id").asString()).at("/error/message").asString()).contains("web-1").contains("still runs")
                .contains("MAC");
        assertThat(east2.heartbeat().restores()).isEmpty();

        src.domains = List.of(shutOff(FakeAgent.domain("web-1")), FakeAgent.domain("db-1"));
        src.heartbeat();
        // the second host reads the reverse repository from kvm-east over the data channel and creates the domain
        JsonNode alt = started(post("/protected-machines/" + web + "/failback", Map.of("host", "kvm-east2",
                "domainName", "web-1-alt")), "FAILBACK");
        AtomicReference<HeartbeatResponse> there = new AtomicReference<>();
        await().atMost(WAIT).until(() -> {
            src.heartbeat();
            there.set(east2.heartbeat());
            return !there.get().restores().isEmpty();
        });
        var create = there.get().restores().getFirst();
        assertThat(create.domain()).isEqualTo("web-1-alt");
        assertThat(create.create()).isTrue();
        assertThat(create.sourceHostId()).isEqualTo(src.hostId);
        assertThat(create.sourceDataAddress()).isEqualTo("127.0.0.1:10");
        assertThat(create.repository()).isEqualTo("east-west-back");
        assertThat(create.mode()).isEqualTo("DELTA");
        assertThat(create.start()).isFalse();
        assertThat(src.heartbeat().restores()).as("nothing is written at home").isEmpty();
        assertThat(src.heartbeat().repositories().stream().filter(r -> r.name().equals("east-west-back")).findFirst().orElseThrow()
                .readers()).as("the second host may read the reverse repository").contains(east2.hostId);
        assertThat(src.heartbeat().repositories().stream().filter(r -> r.name().equals("east-west-back")).findFirst().orElseThrow()
                .writers()).as("and only read it").doesNotContain(east2.hostId);
        Http.Reply cancel = http.post(Http.API + "/jobs/" + alt.get("id").asString() + "/cancel", operator, null);
        assertThat(cancel.status()).as("%s", cancel).isEqualTo(202);
        until(List.of(), List.of(), inState("CANCELLED"), alt.get("id").asString());
        assertThat(pm(web).get("state").asString()).isEqualTo("PROTECTED");
        assertThat(east2.heartbeat().restores()).isEmpty();
        assertThat(src.heartbeat().repositories().stream().filter(r -> r.name().equals("east-west-back")).findFirst().orElseThrow()
                .readers()).doesNotContain(east2.hostId);

        refused(post("/protected-machines/" + web + "/failback", Map.of("sync", "sideways")), 400, "INVALID_ARGUMENT", "sync");
        JsonNode job = started(post("/protected-machines/" + web + "/failback", Map.of("sync", "delta")), "FAILBACK");
        String id = job.get("id").asString();
        AtomicReference<HeartbeatResponse> home = new AtomicReference<>();
        await().atMost(WAIT).until(() -> {
            home.set(src.heartbeat());
            return !home.get().restores().isEmpty();
        });
        var phase1 = home.get().restores().getFirst();
        assertThat(phase1.domain()).isEqualTo("web-1");
        assertThat(phase1.mode()).isEqualTo("DELTA");
        assertThat(phase1.start()).isFalse();
        src.restores = List.of(new io.ferry.protocol.RestoreReport(phase1.id(), true, phase1.pointId(), GIB, 10 * GIB, null));
        until(List.of(), List.of(), atStep("complete-failover"), id);
        refused(post("/jobs/" + job.get("id").asString() + "x/continue", null), 404, "NOT_FOUND", "x");
        assertThat(rec.heartbeat().power()).as("nothing is shut down before the operator says so").isEmpty();
        Http.Reply go = http.post(Http.API + "/jobs/" + id + "/continue", operator, null);
        assertThat(go.status()).as("%s", go).isEqualTo(202);
        // the recovery VM shuts down, the final sync, then phase 2 starts the machine at home
        AtomicReference<HeartbeatResponse> away = new AtomicReference<>();
        await().atMost(WAIT).until(() -> {
            src.heartbeat();
            away.set(rec.heartbeat());
            return !away.get().power().isEmpty();
        });
        assertThat(away.get().power().getFirst().domain()).isEqualTo("web-1-dr");
        PowerReport off = new PowerReport(away.get().power().getFirst().id(), "SHUT_OFF", Instant.now().truncatedTo(ChronoUnit.MILLIS), null);
        PointReport last = new PointReport("r2-" + System.nanoTime(), "east-west-back", Instant.now().plusSeconds(2), "CRASH",
                "INCREMENTAL", null, GIB, GIB / 1000, List.of("vda"), off.at().plusMillis(100));
        await().atMost(WAIT).until(() -> {
            src.heartbeat();
            rec.heartbeatReply(List.of(idle(web, List.of(last))), List.of(), List.of(), List.of(), List.of(off));
            return "restore".equals(job(id).get("step").asString());
        });
        assertThat(step(job(id), "final-sync").get("message").asString()).contains(last.id());
        HeartbeatResponse h = src.heartbeat();
        var phase2 = h.restores().stream().filter(r -> r.pointId().equals(last.id())).findFirst().orElseThrow();
        assertThat(phase2.start()).as("written first; started once the recovery VM is confirmed still off").isFalse();
        assertThat(job(id).get("cancellable").asBoolean()).isFalse();
        assertThat(rec.heartbeat().power()).as("the recovery host keeps watching its copy").isNotEmpty();
        io.ferry.protocol.RestoreReport written = new io.ferry.protocol.RestoreReport(phase2.id(), true, phase2.pointId(), GIB / 1000,
                10 * GIB, null);
        src.restores = List.of(written);
        await().atMost(WAIT).until(() -> {
            rec.heartbeatReply(List.of(), List.of(), List.of(), List.of(), List.of(off));
            return src.heartbeat().restores().stream().anyMatch(x -> x.id().equals(phase2.id()) && x.start());
        });
        assertThat(job(id).get("state").asString()).as("not FAILED_OVER before it runs").isEqualTo("RUNNING");
        src.restores = List.of(written.asStarted());
        await().atMost(WAIT).until(() -> {
            src.heartbeat();
            rec.heartbeatReply(List.of(), List.of(), List.of(), List.of(), List.of(off));
            return "SUCCEEDED".equals(job(id).get("state").asString());
        });
        JsonNode m = pm(web);
        assertThat(m.get("state").asString()).isEqualTo("FAILED_OVER");
        assertThat(m.get("activeDomain").isNull()).isTrue();
        JsonNode commit = started(post("/protected-machines/" + web + "/commit", Map.of()), "COMMIT");
        until(List.of(), List.of(), inState("SUCCEEDED"), commit.get("id").asString());
        assertThat(pm(web).get("state").asString()).isEqualTo("COMMITTED");
        src.restores = List.of();
    }

    @Test
    @Order(9)
    void unprotectingAMachineThatFailedBackRemovesFerrysCheckpointsOnBothSides() throws Exception {
        // web-1 runs at home again; its recovery-site copy web-1-dr (shut off) replicated back and holds checkpoints too
        JsonNode job = started(post("/protected-machines/" + web + "/unprotect", Map.of("deletePoints", false)), "DISABLE_PROTECTION");
        String id = job.get("id").asString();
        AtomicReference<HeartbeatResponse> home = new AtomicReference<>();
        AtomicReference<HeartbeatResponse> away = new AtomicReference<>();
        await().atMost(WAIT).until(() -> {
            home.set(src.heartbeat());
            away.set(rec.heartbeat());
            return !home.get().cleanups().isEmpty() && !away.get().cleanups().isEmpty();
        });
        assertThat(home.get().cleanups()).extracting(c -> c.domain()).containsExactly("web-1");
        assertThat(away.get().cleanups()).extracting(c -> c.domain()).containsExactly("web-1-dr");
        var atHome = home.get().cleanups().getFirst();
        var atRecovery = away.get().cleanups().getFirst();
        src.heartbeat(List.of(), List.of(), List.of(new io.ferry.protocol.CleanupReport(atHome.id(), true, null)));
        Thread.sleep(1500);
        assertThat(step(job(id), "remove-checkpoints").get("message").asString()).contains("web-1-dr");
        await().atMost(WAIT).until(() -> {
            src.heartbeat(List.of(), List.of(), List.of(new io.ferry.protocol.CleanupReport(atHome.id(), true, null)));
            rec.heartbeat(List.of(), List.of(), List.of(new io.ferry.protocol.CleanupReport(atRecovery.id(), true, null)));
            return "SUCCEEDED".equals(job(id).get("state").asString());
        });
        assertThat(step(job(id), "remove-checkpoints").get("message").asString()).contains("web-1 on kvm-east").contains("web-1-dr on kvm-west");
        assertThat(http.get(Http.API + "/protected-machines/" + web, operator).status()).isEqualTo(404);
    }

    private static io.ferry.protocol.Inventory.Domain shutOff(io.ferry.protocol.Inventory.Domain d) {
        return new io.ferry.protocol.Inventory.Domain(d.uuid(), d.name(), "SHUTOFF", d.disks(), d.nics());
    }
}
