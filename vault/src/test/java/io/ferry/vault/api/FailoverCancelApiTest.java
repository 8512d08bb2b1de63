package io.ferry.vault.api;

import io.ferry.protocol.HeartbeatResponse;
import io.ferry.protocol.PointReport;
import io.ferry.protocol.RecoveryVmAssignment;
import io.ferry.protocol.RecoveryVmReport;
import io.ferry.protocol.RepositoryReport;
import io.ferry.protocol.SeedReport;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Every failover operation cancelled at a cancellable step ends in a named state from which the
 * operation then completes, and a vault restart in the middle of each resumes it where it was.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FailoverCancelApiTest extends FailoverApiFixture {

    private void cancel(String jobId) {
        Http.Reply r = http.post(Http.API + "/jobs/" + jobId + "/cancel", operator, null);
        assertThat(r.status()).as("%s", r).isEqualTo(202);
    }

    private void restartAndReconnect() throws Exception {
        restartVault();
        await().atMost(WAIT).ignoreExceptions().until(() -> src.heartbeatReply(List.of(), List.of(), List.of()).status() == 200
                && rec.heartbeatReply(List.of(), List.of(), List.of()).status() == 200
                && http.get(Http.API + "/protected-machines/" + web, operator).status() == 200);
    }

    private static RecoveryVmReport report(RecoveryVmAssignment a, String phase) {
        return new RecoveryVmReport(a.id(), phase, a.domain(), "REMOVED".equals(phase) ? null : a.pointId(), !"RUNNING".equals(phase),
                Instant.now(), null);
    }

    @Test
    @Order(1)
    void aDrillCancelledWhileItStartsIsCleanedUpAndTheNextOneSurvivesVaultRestarts() throws Exception {
        JsonNode job = started(post("/protected-machines/" + web + "/test-failover", Map.of("domainName", "web-1-c1")), "TEST_FAILOVER");
        RecoveryVmAssignment a = assigned("web-1-c1");
        cancel(job.get("id").asString());
        until(List.of(), List.of(), inState("CANCELLED"), job.get("id").asString());
        assertThat(pm(web).get("testFailover").asString()).isEqualTo("CLEANING_UP");
        assertThat(job(job.get("id").asString()).at("/error/message").asString()).contains("CLEANING_UP");
        // the cleanup job that follows by itself removes what the agent made
        await().atMost(WAIT).until(() -> {
            rec.heartbeatReply(List.of(), List.of(), List.of(), List.of(report(a, "REMOVED")), List.of());
            return "NONE".equals(pm(web).get("testFailover").asString());
        });

        JsonNode again = started(post("/protected-machines/" + web + "/test-failover", Map.of("domainName", "web-1-c2")), "TEST_FAILOVER");
        RecoveryVmAssignment b = assigned("web-1-c2");
        restartAndReconnect();
        until(List.of(report(b, "RUNNING")), List.of(), inState("SUCCEEDED"), again.get("id").asString());
        assertThat(pm(web).get("testFailover").asString()).isEqualTo("RUNNING");
        JsonNode clean = started(post("/protected-machines/" + web + "/test-failover/cleanup", Map.of()), "TEST_FAILOVER_CLEANUP");
        restartAndReconnect();
        until(List.of(report(b, "REMOVED")), List.of(), inState("SUCCEEDED"), clean.get("id").asString());
        assertThat(pm(web).get("testFailover").asString()).isEqualTo("NONE");
    }

    @Test
    @Order(2)
    void anUnplannedFailoverCancelledWhileTheVmStartsIsProtectedAgainThenFailsOverAndCommitsAcrossARestart() throws Exception {
        JsonNode job = started(post("/protected-machines/" + web + "/failover", Map.of("planned", false, "domainName", "web-1-u1")),
                "UNPLANNED_FAILOVER");
        RecoveryVmAssignment a = assigned("web-1-u1");
        assertThat(pm(web).get("state").asString()).isEqualTo("FAILING_OVER");
        cancel(job.get("id").asString());
        until(List.of(), List.of(), inState("CANCELLED"), job.get("id").asString());
        assertThat(pm(web).get("state").asString()).isEqualTo("PROTECTED");
        await().atMost(WAIT).until(() -> {
            HeartbeatResponse hb = rec.heartbeatReply(List.of(), List.of(), List.of(), List.of(report(a, "REMOVED")), List.of())
                    .as(HeartbeatResponse.class);
            return hb.recoveryVms().stream().noneMatch(v -> v.domain().equals("web-1-u1"));
        });
        assertThat(src.heartbeat().sources()).as("replication goes on").extracting(s -> s.protectedMachineId()).contains(web);

        JsonNode again = started(post("/protected-machines/" + web + "/failover", Map.of("planned", false, "domainName", "web-1-u2")),
                "UNPLANNED_FAILOVER");
        RecoveryVmAssignment b = assigned("web-1-u2");
        restartAndReconnect();
        until(List.of(report(b, "RUNNING")), List.of(), inState("SUCCEEDED"), again.get("id").asString());
        assertThat(pm(web).get("state").asString()).isEqualTo("FAILED_OVER");
        // a commit whose block pull cannot finish is cancelled: FAILED_OVER, the VM wanted RUNNING again; then it completes
        JsonNode stuck = started(post("/protected-machines/" + web + "/commit", Map.of()), "COMMIT");
        assertThat(stuck.get("cancellable").asBoolean()).isTrue();
        await().atMost(WAIT).until(() -> rec.heartbeat().recoveryVms().stream().anyMatch(v -> v.desired().equals("RELEASED")));
        cancel(stuck.get("id").asString());
        until(List.of(report(b, "RUNNING")), List.of(), inState("CANCELLED"), stuck.get("id").asString());
        assertThat(pm(web).get("state").asString()).isEqualTo("FAILED_OVER");
        assertThat(rec.heartbeat().recoveryVms()).singleElement().satisfies(v -> assertThat(v.desired()).isEqualTo("RUNNING"));
        JsonNode commit = started(post("/protected-machines/" + web + "/commit", Map.of()), "COMMIT");
        restartAndReconnect();
        until(List.of(report(b, "RELEASED")), List.of(), inState("SUCCEEDED"), commit.get("id").asString());
        assertThat(pm(web).get("state").asString()).isEqualTo("COMMITTED");
    }

    @Test
    @Order(3)
    void aReprotectCancelledAtTheSeedIsCommittedInTheOldDirectionThenCompletesAcrossARestart() throws Exception {
        src.dataAddress = "127.0.0.1:10";
        JsonNode job = started(post("/protected-machines/" + web + "/reprotect", Map.of()), "REPROTECT");
        RepositoryReport back = new RepositoryReport("east-west-back", true, List.of(), List.of(), 0, 0, null);
        await().atMost(WAIT).until(() -> !src.heartbeat(List.of(), List.of(back), List.of()).seeds().isEmpty());
        cancel(job.get("id").asString());
        until(List.of(), List.of(), inState("CANCELLED"), job.get("id").asString());
        assertThat(pm(web).get("state").asString()).isEqualTo("COMMITTED");
        assertThat(pm(web).get("direction").asString()).isEqualTo("FORWARD");
        assertThat(job(job.get("id").asString()).at("/error/message").asString()).contains("COMMITTED").contains("reprotect");

        JsonNode again = started(post("/protected-machines/" + web + "/reprotect", Map.of()), "REPROTECT");
        String id = again.get("id").asString();
        AtomicReference<HeartbeatResponse> home = new AtomicReference<>();
        await().atMost(WAIT).until(() -> {
            home.set(src.heartbeat(List.of(), List.of(back), List.of()));
            return !home.get().seeds().isEmpty();
        });
        restartAndReconnect();
        src.seeds = List.of(new SeedReport(home.get().seeds().getFirst().id(), true, "seed", GIB, GIB, null));
        PointReport first = new PointReport("rb-" + System.nanoTime(), "east-west-back", Instant.now(), "CRASH", "FULL", null, GIB,
                GIB / 50, List.of("vda"), Instant.now().minusSeconds(1));
        await().atMost(WAIT).until(() -> {
            src.heartbeat(List.of(), List.of(back), List.of());
            boolean assigned = !rec.heartbeat().sources().isEmpty();
            if (assigned) rec.heartbeat(List.of(idle(web, List.of(first))), List.of(), List.of());
            return job(id).get("state").asString().equals("SUCCEEDED");
        });
        assertThat(pm(web).get("state").asString()).isEqualTo("PROTECTED");
        assertThat(pm(web).get("direction").asString()).isEqualTo("REVERSE");
        src.seeds = List.of();
    }

    @Test
    @Order(4)
    void aFailbackCancelledWhileItWaitsForTheOperatorChangesNothing() throws Exception {
        src.domains = List.of(new io.ferry.protocol.Inventory.Domain(FakeAgent.domain("web-1").uuid(), "web-1", "SHUTOFF",
                FakeAgent.domain("web-1").disks(), FakeAgent.domain("web-1").nics()), FakeAgent.domain("db-1"));
        src.heartbeat();
        JsonNode job = started(post("/protected-machines/" + web + "/failback", Map.of()), "FAILBACK");
        String id = job.get("id").asString();
        AtomicReference<HeartbeatResponse> home = new AtomicReference<>();
        await().atMost(WAIT).until(() -> {
            home.set(src.heartbeat());
            return !home.get().restores().isEmpty();
        });
        restartAndReconnect();
        src.restores = List.of(new io.ferry.protocol.RestoreReport(home.get().restores().getFirst().id(), true, home.get().restores().getFirst().pointId(), GIB, 10 * GIB, null));
        until(List.of(), List.of(), atStep("complete-failover"), id);
        cancel(id);
        until(List.of(), List.of(), inState("CANCELLED"), id);
        assertThat(pm(web).get("state").asString()).isEqualTo("PROTECTED");
        assertThat(pm(web).get("direction").asString()).isEqualTo("REVERSE");
        assertThat(rec.heartbeat().power()).isEmpty();
        assertThat(rec.heartbeat().sources()).as("the reverse replication goes on").isNotEmpty();
        src.restores = List.of();
        // continue on a job that is not waiting is refused
        Http.Reply r = http.post(Http.API + "/jobs/" + id + "/continue", operator, null);
        assertThat(r.status()).isEqualTo(409);
        assertThat(r.code()).isEqualTo("WRONG_STATE");
    }
}
