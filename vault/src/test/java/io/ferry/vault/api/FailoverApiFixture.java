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
 * Two machines (web-1, db-1 on kvm-east) protected to kvm-west through the API, with the agents at
 * the protocol boundary, and the helpers the failover API tests share: heartbeats with reports
 * until a job reaches a state, refusals that name what they refuse.
 */
abstract class FailoverApiFixture extends VaultApiTest {
    static final Duration WAIT = Duration.ofSeconds(15);
    static final long GIB = 1L << 30;

    String operator;
    String eastSite;
    FakeAgent src;
    FakeAgent rec;
    String web;
    String db;
    String p1;
    String p2;
    final List<PointReport> webPoints = new ArrayList<>();

    @BeforeAll
    void twoMachinesProtected() {
        operator = userWithRole("fiona", "OPERATOR");
        String east = createSite("east").get("id").asString();
        eastSite = east;
        String west = createSite("west").get("id").asString();
        src = agent(east, "kvm-east");
        src.domains = List.of(FakeAgent.domain("web-1"), FakeAgent.domain("db-1"));
        rec = agent(west, "kvm-west");
        rec.dataAddress = "127.0.0.1:9";
        src.heartbeat();
        rec.heartbeat();
        String policy = createPolicy(operator, "silver").get("id").asString();
        String pairing = createPairing("east-west", east, west, policy, rec.hostId).get("id").asString();
        web = protect(machineId(src.hostId, "web-1"), pairing);
        db = protect(machineId(src.hostId, "db-1"), pairing);
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        p1 = "p1-" + System.nanoTime();
        p2 = "p2-" + System.nanoTime();
        webPoints.add(point(p1, null, now.minusSeconds(60)));
        webPoints.add(point(p2, p1, now.minusSeconds(30)));
        src.heartbeat(List.of(idle(web, webPoints), idle(db, List.of(point("d1-" + System.nanoTime(), null, now.minusSeconds(20))))),
                List.of(), List.of());
        await().atMost(WAIT).until(() -> "PROTECTED".equals(pm(web).get("state").asString())
                && "PROTECTED".equals(pm(db).get("state").asString()));
    }

    String protect(String machineId, String pairing) {
        Http.Reply r = http.post(Http.API + "/protected-machines", operator, Map.of("machineId", machineId, "pairingId", pairing));
        assertThat(r.status()).as("%s", r).isEqualTo(202);
        rec.heartbeat(List.of(), List.of(new RepositoryReport("east-west", true, List.of(), List.of(), 0, 0, null)), List.of());
        return r.json().get("targetId").asString();
    }

    static PointReport point(String id, String parent, Instant dataAt) {
        return new PointReport(id, "east-west", dataAt.plusSeconds(2), "CRASH", parent == null ? "FULL" : "INCREMENTAL", parent,
                GIB, GIB / 4, List.of("vda"), dataAt);
    }

    static ReplicationReport idle(String pm, List<PointReport> points) {
        return new ReplicationReport(pm, "IDLE", "INCREMENTAL", 0, 0, null, Instant.now(), 1.0, points, false, null);
    }

    JsonNode pm(String id) {
        return http.get(Http.API + "/protected-machines/" + id, operator).json();
    }

    Http.Reply post(String path, Object body) {
        return http.post(Http.API + path, operator, body);
    }

    JsonNode started(Http.Reply r, String type) {
        assertThat(r.status()).as("%s", r).isEqualTo(202);
        assertThat(r.json().get("type").asString()).isEqualTo(type);
        return r.json();
    }

    void refused(Http.Reply r, int status, String code, String... mentions) {
        assertThat(r.status()).as("%s", r).isEqualTo(status);
        assertThat(r.code()).isEqualTo(code);
        assertThat(r.message()).contains(mentions);
    }

    /** Heartbeats of both agents (with these reports) until {@code done} holds. */
    HeartbeatResponse until(List<RecoveryVmReport> recVms, List<PowerReport> power, Predicate<JsonNode> done, String jobId) {
        AtomicReference<HeartbeatResponse> last = new AtomicReference<>();
        await().atMost(WAIT).until(() -> {
            src.heartbeatReply(List.of(), List.of(), List.of(), List.of(), power);
            Http.Reply r = rec.heartbeatReply(List.of(), List.of(), List.of(), recVms, List.of());
            last.set(r.as(HeartbeatResponse.class));
            return done.test(job(jobId));
        });
        return last.get();
    }

    static Predicate<JsonNode> inState(String state) {
        return j -> j.get("state").asString().equals(state);
    }

    static Predicate<JsonNode> atStep(String step) {
        return j -> j.get("step").asString().equals(step) && j.get("state").asString().equals("RUNNING");
    }


    /** The recovery VM assignment the recovery host gets for {@code domain}, once it gets one. */
    io.ferry.protocol.RecoveryVmAssignment assigned(String domain) {
        AtomicReference<io.ferry.protocol.RecoveryVmAssignment> a = new AtomicReference<>();
        await().atMost(WAIT).until(() -> {
            a.set(rec.heartbeat().recoveryVms().stream().filter(v -> v.domain().equals(domain)).findFirst().orElse(null));
            return a.get() != null;
        });
        return a.get();
    }
}
