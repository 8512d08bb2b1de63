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

import io.ferry.protocol.ErrorInfo;
import io.ferry.protocol.PowerReport;
import io.ferry.protocol.RestoreReport;
import io.ferry.vault.VaultConfig;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
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
    /** A failback's last step waits out restore errors this long here (3 min by default). */
    private static final Duration RESTORE_PATIENCE = Duration.ofSeconds(4);

    @Override
    VaultConfig configure(VaultConfig base) throws IOException {
        return super.configure(base).withRestorePatience(RESTORE_PATIENCE);
    }

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

    @Test
    @Order(5)
    void aFailbackWhoseMachineCannotStartAtHomeFailsAfterItsPatienceAndTheNextFailbackCompletes() throws Exception {
        // web-1 (shut off at home) replicates back from web-1-u2; a full-download failback is written but cannot start
        JsonNode job = started(post("/protected-machines/" + web + "/failback", Map.of("sync", "full")), "FAILBACK");
        String id = job.get("id").asString();
        PowerReport off = shutDownAndFinalSync(id);
        var restore = restoreAssigned(off, id);
        assertThat(restore.start()).as("written first").isFalse();
        ErrorInfo noStart = ErrorInfo.of("START_FAILED", "cannot start web-1: Requested operation is not valid: network 'lan'"
                + " is not active", "start the network");
        src.restores = List.of(new RestoreReport(restore.id(), true, restore.pointId(), GIB, 10 * GIB, noStart));
        // the error is waited out (the agent retries) while the job still says why it waits
        await().atMost(WAIT).until(() -> {
            src.heartbeat();
            rec.heartbeatReply(List.of(), List.of(), List.of(), List.of(), List.of(off));
            return job(id).at("/steps").toString().contains("network 'lan'");
        });
        assertThat(job(id).get("state").asString()).isEqualTo("RUNNING");
        assertThat(pm(web).get("state").asString()).isEqualTo("FAILING_OVER");
        Instant waitedFrom = Instant.now();
        await().atMost(WAIT.plus(RESTORE_PATIENCE)).until(() -> {
            src.heartbeat();
            rec.heartbeatReply(List.of(), List.of(), List.of(), List.of(), List.of(off));
            return "FAILED".equals(job(id).get("state").asString());
        });
        assertThat(Duration.between(waitedFrom, Instant.now())).as("not before its patience").isGreaterThan(RESTORE_PATIENCE.minusSeconds(2));
        JsonNode failed = job(id);
        assertThat(failed.at("/error/code").asString()).isEqualTo("RESTORE_FAILED");
        assertThat(failed.at("/error/message").asString()).contains("web-1").contains("network 'lan'").contains("PROTECTED")
                .contains("web-1-u2");
        assertThat(failed.at("/error/hint").asString()).contains("virsh start web-1-u2");
        JsonNode m = pm(web);
        assertThat(m.get("state").asString()).as("a named state the operator can act on").isEqualTo("PROTECTED");
        assertThat(m.get("direction").asString()).isEqualTo("REVERSE");
        assertThat(m.get("activeDomain").asString()).isEqualTo("web-1-u2");
        assertThat(src.heartbeat().restores()).as("the home agent is no longer asked to write or start").isEmpty();
        assertThat(rec.heartbeat().power()).as("nothing keeps the recovery VM off").isEmpty();

        // the operator fixed the cause (and started web-1-u2 again): the next failback completes
        src.restores = List.of();
        JsonNode again = started(post("/protected-machines/" + web + "/failback", Map.of("sync", "full")), "FAILBACK");
        String id2 = again.get("id").asString();
        PowerReport off2 = shutDownAndFinalSync(id2);
        var restore2 = restoreAssigned(off2, id2);
        RestoreReport written = new RestoreReport(restore2.id(), true, restore2.pointId(), 10 * GIB, 10 * GIB, null);
        src.restores = List.of(written);
        await().atMost(WAIT).until(() -> {
            rec.heartbeatReply(List.of(), List.of(), List.of(), List.of(), List.of(off2));
            return src.heartbeat().restores().stream().anyMatch(x -> x.id().equals(restore2.id()) && x.start());
        });
        src.restores = List.of(written.asStarted());
        await().atMost(WAIT).until(() -> {
            src.heartbeat();
            rec.heartbeatReply(List.of(), List.of(), List.of(), List.of(), List.of(off2));
            return "SUCCEEDED".equals(job(id2).get("state").asString());
        });
        assertThat(pm(web).get("state").asString()).isEqualTo("FAILED_OVER");
        src.restores = List.of();
    }

    /** Answers the failback's shutdown with SHUT_OFF and its final sync with a reverse point taken after it. */
    private PowerReport shutDownAndFinalSync(String jobId) {
        AtomicReference<HeartbeatResponse> away = new AtomicReference<>();
        await().atMost(WAIT).until(() -> {
            src.heartbeat();
            away.set(rec.heartbeat());
            return !away.get().power().isEmpty();
        });
        assertThat(away.get().power().getFirst().domain()).isEqualTo("web-1-u2");
        PowerReport off = new PowerReport(away.get().power().getFirst().id(), "SHUT_OFF", Instant.now().truncatedTo(ChronoUnit.MILLIS), null);
        PointReport last = new PointReport("rf-" + System.nanoTime(), "east-west-back", Instant.now().plusSeconds(2), "CRASH",
                "INCREMENTAL", null, GIB, GIB / 1000, List.of("vda"), off.at().plusMillis(100));
        await().atMost(WAIT).until(() -> {
            src.heartbeat();
            rec.heartbeatReply(List.of(idle(web, List.of(last))), List.of(), List.of(), List.of(), List.of(off));
            return "restore".equals(job(jobId).get("step").asString());
        });
        return off;
    }

    private io.ferry.protocol.RestoreAssignment restoreAssigned(PowerReport off, String jobId) {
        AtomicReference<io.ferry.protocol.RestoreAssignment> a = new AtomicReference<>();
        await().atMost(WAIT).until(() -> {
            rec.heartbeatReply(List.of(), List.of(), List.of(), List.of(), List.of(off));
            a.set(src.heartbeat().restores().stream().filter(r -> r.id().contains(jobId)).findFirst().orElse(null));
            return a.get() != null;
        });
        assertThat(a.get().mode()).isEqualTo("FULL");
        return a.get();
    }
}
