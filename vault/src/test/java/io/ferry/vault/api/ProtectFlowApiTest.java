package io.ferry.vault.api;

import io.ferry.protocol.CleanupAssignment;
import io.ferry.protocol.CleanupReport;
import io.ferry.protocol.HeartbeatResponse;
import io.ferry.protocol.PointReport;
import io.ferry.protocol.ReplicationReport;
import io.ferry.protocol.RepositoryAssignment;
import io.ferry.protocol.RepositoryReport;
import io.ferry.protocol.SourceAssignment;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Protect and unprotect one machine through the API, with two agents at the protocol boundary:
 * kvm-east (the source, with web-1) and kvm-west (the recovery host, data port 127.0.0.1:9).
 * The steps run in order and share the state the previous ones made.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ProtectFlowApiTest extends VaultApiTest {
    private static final long GIB = 1L << 30;
    private static final Duration WAIT = Duration.ofSeconds(15);

    String operator;
    FakeAgent src;
    FakeAgent rec;
    String machineId;
    JsonNode pairing;
    String policyId;
    String protectKey = "protect-web-1-" + System.nanoTime();
    Map<String, String> protectBody;
    JsonNode enableJob;
    String pmId;
    String pointId = "pt-" + System.nanoTime();
    JsonNode disableJob;

    @BeforeAll
    void sitesAgentsPolicyPairing() {
        operator = userWithRole("olga", "OPERATOR");
        String east = createSite("east").get("id").asString();
        String west = createSite("west").get("id").asString();
        src = agent(east, "kvm-east");
        src.domains = List.of(FakeAgent.domain("web-1"), FakeAgent.domain("db-1"));
        rec = agent(west, "kvm-west");
        rec.dataAddress = "127.0.0.1:9";
        src.heartbeat();
        rec.heartbeat();
        machineId = machineId(src.hostId, "web-1");
        policyId = createPolicy(operator, "gold").get("id").asString();
        pairing = createPairing("east-west", east, west, policyId, rec.hostId);
        protectBody = Map.of("machineId", machineId, "pairingId", pairing.get("id").asString());
    }

    private Http.Reply protect(String key) {
        return http.send("POST", Http.API + "/protected-machines", operator, protectBody, Map.of("Idempotency-Key", key));
    }

    private JsonNode protectedMachine() {
        Http.Reply r = http.get(Http.API + "/protected-machines/" + pmId, operator);
        assertThat(r.status()).as("%s", r).isEqualTo(200);
        return r.json();
    }

    private int jobCount() {
        return http.get(Http.API + "/jobs?limit=500", operator).json().get("items").size();
    }

    private RepositoryReport ready() {
        return new RepositoryReport("east-west", true, List.of(), List.of(), 10, 4096, null);
    }

    @Test
    @Order(1)
    void protectStartsAnEnableJob() {
        Http.Reply r = protect(protectKey);

        assertThat(r.status()).as("%s", r).isEqualTo(202);
        enableJob = r.json();
        pmId = enableJob.get("targetId").asString();
        assertThat(enableJob.get("type").asString()).isEqualTo("ENABLE_PROTECTION");
        assertThat(enableJob.get("state").asString()).isIn("QUEUED", "RUNNING");
        assertThat(names(enableJob.get("steps"), "name")).containsExactly("prepare-repository", "initial-replication");
        assertThat(enableJob.get("targetName").asString()).isEqualTo("web-1");
        assertThat(enableJob.get("requestedBy").asString()).isEqualTo("olga");
        assertThat(enableJob.get("cancellable").asBoolean()).isTrue();
        JsonNode pm = protectedMachine();
        assertThat(pm.get("state").asString()).isEqualTo("ENABLING");
        assertThat(pm.get("machineId").asString()).isEqualTo(machineId);
        assertThat(pm.get("latestPointId").isNull()).isTrue();
        assertThat(http.get(Http.API + "/machines/" + machineId, operator).json().at("/protection/protectedMachineId").asString())
                .isEqualTo(pmId);
    }

    @Test
    @Order(2)
    void theSameIdempotencyKeyReturnsTheSameJob() {
        int jobs = jobCount();

        Http.Reply again = protect(protectKey);

        assertThat(again.status()).as("%s", again).isEqualTo(202);
        assertThat(again.json().get("id").asString()).isEqualTo(enableJob.get("id").asString());
        assertThat(again.json()).isEqualTo(enableJob);
        assertThat(jobCount()).isEqualTo(jobs);
        assertThat(http.get(Http.API + "/jobs?targetId=" + pmId, operator).json().get("items")).hasSize(1);

        // the same key for another request is a conflict; a new key for the same request is the usual refusal
        Http.Reply other = http.send("POST", Http.API + "/protected-machines", operator,
                Map.of("machineId", machineId(src.hostId, "db-1"), "pairingId", pairing.get("id").asString()),
                Map.of("Idempotency-Key", protectKey));
        assertThat(other.status()).isEqualTo(409);
        assertThat(other.code()).isEqualTo("CONFLICT");
        assertThat(other.message()).contains(protectKey);
        // keys are per user: the admin's request with olga's key is a request of its own, refused as such
        Http.Reply admins = http.send("POST", Http.API + "/protected-machines", admin, protectBody, Map.of("Idempotency-Key", protectKey));
        assertThat(admins.status()).isEqualTo(409);
        assertThat(admins.code()).isEqualTo("WRONG_STATE");
        Http.Reply fresh = protect(protectKey + "-2");
        assertThat(fresh.status()).isEqualTo(409);
        assertThat(fresh.code()).isEqualTo("WRONG_STATE");
        assertThat(jobCount()).isEqualTo(jobs);
    }

    @Test
    @Order(3)
    void theRecoveryAgentIsToldToKeepTheRepository() {
        HeartbeatResponse r = rec.heartbeat();

        assertThat(r.repositories()).hasSize(1);
        RepositoryAssignment a = r.repositories().getFirst();
        assertThat(a.name()).isEqualTo(pairing.get("repositoryName").asString()).isEqualTo("east-west");
        assertThat(a.writers()).containsExactly(src.hostId);
        assertThat(a.compressionLevel()).isEqualTo(1);
        assertThat(a.encryptionKey()).isNull();
        assertThat(a.deletePoints()).isEmpty();
        assertThat(a.purgeMachines()).isEmpty();
        assertThat(r.sources()).isEmpty();
    }

    @Test
    @Order(4)
    void theSourceIsAssignedOnlyOnceTheRepositoryIsReady() throws InterruptedException {
        // the repository is not reported: the job waits, and the source gets nothing to do
        await().atMost(WAIT).until(() -> job(enableJob.get("id").asString()).at("/steps/0/message").asString("")
                .contains("to create repository east-west"));
        for (int i = 0; i < 3; i++) {
            rec.heartbeat();
            assertThat(src.heartbeat().sources()).isEmpty();
            Thread.sleep(600); // more than one tick of the job engine
        }
        JsonNode waiting = job(enableJob.get("id").asString());
        assertThat(waiting.get("state").asString()).isEqualTo("RUNNING");
        assertThat(step(waiting, "prepare-repository").get("state").asString()).isEqualTo("RUNNING");
        // ... nor while it is reported but not ready
        rec.heartbeat(List.of(), List.of(new RepositoryReport("east-west", false, List.of(), List.of(), 0, 0, null)), List.of());
        Thread.sleep(600);
        assertThat(src.heartbeat().sources()).isEmpty();
        assertThat(protectedMachine().get("state").asString()).isEqualTo("ENABLING");

        rec.heartbeat(List.of(), List.of(ready()), List.of());

        AtomicReference<HeartbeatResponse> assigned = new AtomicReference<>();
        await().atMost(WAIT).until(() -> {
            HeartbeatResponse r = src.heartbeat();
            assigned.set(r);
            return !r.sources().isEmpty();
        });
        SourceAssignment s = assigned.get().sources().getFirst();
        assertThat(s.protectedMachineId()).isEqualTo(pmId);
        assertThat(s.domain()).isEqualTo("web-1");
        assertThat(s.domainUuid()).isEqualTo(FakeAgent.domain("web-1").uuid());
        assertThat(s.repository()).isEqualTo("east-west");
        assertThat(s.recoveryHostId()).isEqualTo(rec.hostId);
        assertThat(s.recoveryDataAddress()).isEqualTo("127.0.0.1:9");
        assertThat(s.copyFrequencySeconds()).isEqualTo(60);
        assertThat(s.allowResync()).isFalse();
        assertThat(s.encryptionKey()).isNull();
        JsonNode job = job(enableJob.get("id").asString());
        assertThat(step(job, "prepare-repository").get("state").asString()).isEqualTo("DONE");
        assertThat(step(job, "initial-replication").get("state").asString()).isEqualTo("RUNNING");
        assertThat(protectedMachine().get("state").asString()).isEqualTo("INITIAL_REPLICATION");
    }

    @Test
    @Order(5)
    void progressOfTheFullCopyShowsOnTheJobAndTheMachine() {
        Instant started = Instant.now().minusSeconds(5);
        ReplicationReport half = new ReplicationReport(pmId, "CAPTURING", "FULL", 5 * GIB, 10 * GIB, started, null, 0, List.of(), false, null);

        await().atMost(WAIT).until(() -> {
            src.heartbeat(List.of(half), List.of(), List.of());
            rec.heartbeat(List.of(), List.of(ready()), List.of());
            return job(enableJob.get("id").asString()).at("/progress/bytesDone").asLong() == 5 * GIB;
        });
        JsonNode job = job(enableJob.get("id").asString());
        assertThat(job.at("/progress/bytesTotal").asLong()).isEqualTo(10 * GIB);
        assertThat(job.at("/progress/percent").asDouble()).isEqualTo(50.0);
        assertThat(job.at("/progress/etaSeconds").asLong()).isPositive();
        JsonNode replication = protectedMachine().get("replication");
        assertThat(replication.get("phase").asString()).isEqualTo("CAPTURING");
        assertThat(replication.get("mode").asString()).isEqualTo("FULL");
        assertThat(replication.get("percent").asDouble()).isEqualTo(50.0);
    }

    @Test
    @Order(6)
    void theFirstPointProtectsTheMachine() {
        Instant at = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        // the cycle froze the data 12.5 s before it committed the point: RPO counts from then
        Instant frozen = at.minusMillis(12_500);
        PointReport point = new PointReport(pointId, "east-west", at, "CRASH", "FULL", null, 10 * GIB, 3 * GIB, List.of("vda"), frozen);
        ReplicationReport done = new ReplicationReport(pmId, "IDLE", "FULL", 10 * GIB, 10 * GIB, null, at, 12.5, List.of(point), false, null);

        HeartbeatResponse r = src.heartbeat(List.of(done), List.of(), List.of());

        assertThat(r.acknowledgedPoints()).containsExactly(pointId);
        // an agent that missed the acknowledgement reports the point again: it is acknowledged again, recorded once
        assertThat(src.heartbeat(List.of(done), List.of(), List.of()).acknowledgedPoints()).containsExactly(pointId);
        await().atMost(WAIT).until(() -> job(enableJob.get("id").asString()).get("state").asString().equals("SUCCEEDED"));
        JsonNode job = job(enableJob.get("id").asString());
        assertThat(step(job, "initial-replication").get("state").asString()).isEqualTo("DONE");
        assertThat(step(job, "initial-replication").get("message").asString()).contains(pointId);
        assertThat(job.get("endedAt").isNull()).isFalse();
        assertThat(job.get("cancellable").asBoolean()).isFalse();
        JsonNode pm = protectedMachine();
        assertThat(pm.get("state").asString()).isEqualTo("PROTECTED");
        assertThat(pm.get("latestPointId").asString()).isEqualTo(pointId);
        assertThat(Instant.parse(pm.get("latestPointAt").asString())).isEqualTo(frozen);
        assertThat(pm.get("rpoSeconds").asDouble()).isGreaterThanOrEqualTo(12.5);
        JsonNode points = http.get(Http.API + "/protected-machines/" + pmId + "/points", operator).json().get("items");
        assertThat(points).hasSize(1);
        assertThat(points.get(0).get("id").asString()).isEqualTo(pointId);
        assertThat(points.get(0).get("state").asString()).isEqualTo("AVAILABLE");
        assertThat(points.get(0).get("mode").asString()).isEqualTo("FULL");
        assertThat(points.get(0).get("bytesStored").asLong()).isEqualTo(3 * GIB);
        // the replay still answers the first answer, and started nothing
        Http.Reply replay = protect(protectKey);
        assertThat(replay.json().get("id").asString()).isEqualTo(enableJob.get("id").asString());
        assertThat(http.get(Http.API + "/jobs?targetId=" + pmId, operator).json().get("items")).hasSize(1);
    }

    @Test
    @Order(7)
    void unprotectStopsReplicationRemovesCheckpointsAndForgets() {
        Http.Reply r = http.post(Http.API + "/protected-machines/" + pmId + "/unprotect", operator, Map.of("deletePoints", false));

        assertThat(r.status()).as("%s", r).isEqualTo(202);
        disableJob = r.json();
        String id = disableJob.get("id").asString();
        assertThat(disableJob.get("type").asString()).isEqualTo("DISABLE_PROTECTION");
        assertThat(disableJob.get("targetId").asString()).isEqualTo(pmId);
        assertThat(names(disableJob.get("steps"), "name")).containsExactly("stop-replication", "remove-checkpoints", "delete-points", "forget");
        assertThat(disableJob.get("cancellable").asBoolean()).isFalse();
        Http.Reply cancel = http.post(Http.API + "/jobs/" + id + "/cancel", operator, null);
        assertThat(cancel.status()).isEqualTo(409);
        assertThat(cancel.code()).isEqualTo("WRONG_STATE");

        // a point committed just before the stop still reaches the catalogue (the agent reports it as STOPPED)
        Instant lateAt = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        PointReport late = new PointReport(pointId + "-late", "east-west", lateAt, "CRASH", "INCREMENTAL", pointId, GIB, GIB / 10,
                List.of("vda"), null);
        HeartbeatResponse stopped = src.heartbeat(List.of(new ReplicationReport(pmId, "STOPPED", null, 0, 0, null, null, 0,
                List.of(late), false, null)), List.of(), List.of());
        assertThat(stopped.sources()).isEmpty();
        assertThat(stopped.acknowledgedPoints()).containsExactly(late.id());
        JsonNode pm = protectedMachine();
        assertThat(pm.at("/replication/phase").asString()).isEqualTo("STOPPED");
        assertThat(pm.get("latestPointId").asString()).isEqualTo(late.id());
        assertThat(names(http.get(Http.API + "/protected-machines/" + pmId + "/points", operator).json().get("items"), "id"))
                .containsExactly(late.id(), pointId);

        // the source's next heartbeats no longer carry web-1, and end the stop-replication step
        await().atMost(WAIT).until(() -> {
            HeartbeatResponse hb = src.heartbeat();
            assertThat(hb.sources()).isEmpty();
            rec.heartbeat(List.of(), List.of(ready()), List.of());
            return step(job(id), "stop-replication").get("state").asString().equals("DONE");
        });

        // checkpoints: the source is asked to remove them, and the step waits for its report
        AtomicReference<HeartbeatResponse> asked = new AtomicReference<>();
        await().atMost(WAIT).until(() -> {
            asked.set(src.heartbeat());
            return !asked.get().cleanups().isEmpty();
        });
        CleanupAssignment cleanup = asked.get().cleanups().getFirst();
        assertThat(cleanup.id()).isEqualTo(id + "-checkpoints");
        assertThat(cleanup.kind()).isEqualTo("CHECKPOINTS");
        assertThat(cleanup.domain()).isEqualTo("web-1");
        assertThat(step(job(id), "remove-checkpoints").get("state").asString()).isEqualTo("RUNNING");
        // not done yet: the step says so and goes on waiting
        await().atMost(WAIT).until(() -> {
            src.heartbeat(List.of(), List.of(), List.of(new CleanupReport(cleanup.id(), false, null)));
            return step(job(id), "remove-checkpoints").get("message").asString("").startsWith("removing checkpoints of web-1");
        });
        assertThat(step(job(id), "remove-checkpoints").get("state").asString()).isEqualTo("RUNNING");

        src.heartbeat(List.of(), List.of(), List.of(new CleanupReport(cleanup.id(), true, null)));

        await().atMost(WAIT).until(() -> job(id).get("state").asString().equals("SUCCEEDED"));
        JsonNode job = job(id);
        assertThat(step(job, "stop-replication").get("state").asString()).isEqualTo("DONE");
        assertThat(step(job, "remove-checkpoints").get("state").asString()).isEqualTo("DONE");
        assertThat(step(job, "delete-points").get("state").asString()).isEqualTo("SKIPPED");
        assertThat(step(job, "forget").get("state").asString()).isEqualTo("DONE");
        assertThat(job.get("targetName").asString()).as("the job still names its machine").isEqualTo("web-1");
        assertThat(http.get(Http.API + "/jobs?limit=1", operator).json().at("/items/0/id").asString())
                .as("jobs are listed newest first").isEqualTo(id);
        Http.Reply gone = http.get(Http.API + "/protected-machines/" + pmId, operator);
        assertThat(gone.status()).isEqualTo(404);
        assertThat(http.get(Http.API + "/protected-machines", operator).json().get("items")).isEmpty();
        assertThat(http.get(Http.API + "/machines/" + machineId, operator).json().get("protection").isNull()).isTrue();
        HeartbeatResponse after = src.heartbeat();
        assertThat(after.sources()).isEmpty();
        assertThat(after.cleanups()).isEmpty();
    }

    @Test
    @Order(8)
    void protectAndUnprotectAreAuditedAsTheOperator() {
        JsonNode audit = audit();
        assertThat(audit).anySatisfy(e -> {
            assertThat(e.get("actor").asString()).isEqualTo("olga");
            assertThat(e.get("action").asString()).isEqualTo("protect");
            assertThat(e.get("outcome").asString()).isEqualTo("OK");
            assertThat(e.get("status").asInt()).isEqualTo(202);
        });
        assertThat(audit).anySatisfy(e -> {
            assertThat(e.get("actor").asString()).isEqualTo("olga");
            assertThat(e.get("action").asString()).isEqualTo("unprotect");
            assertThat(e.get("outcome").asString()).isEqualTo("OK");
            assertThat(e.get("target").asString()).isEqualTo(pmId);
        });
        assertThat(audit).anySatisfy(e -> {
            assertThat(e.get("actor").asString()).isEqualTo("olga");
            assertThat(e.get("action").asString()).isEqualTo("cancel job");
            assertThat(e.get("outcome").asString()).isEqualTo("FAILED");
            assertThat(e.get("status").asInt()).isEqualTo(409);
        });
    }
}
