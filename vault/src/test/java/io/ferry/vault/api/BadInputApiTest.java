package io.ferry.vault.api;

import io.ferry.protocol.CleanupReport;
import io.ferry.protocol.RepositoryReport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Refused requests: each gets the documented status, code and a message naming the field or
 * object, and leaves every list it could have touched byte-for-byte as it was.
 */
class BadInputApiTest extends VaultApiTest {
    private static final List<String> LISTS = List.of("/sites", "/policies", "/pairings", "/protected-machines", "/jobs", "/users");

    String primary;
    String recovery;
    FakeAgent src;
    FakeAgent rec;
    FakeAgent stray;
    String policyId;
    String pairingId;
    String web1;
    String protectedWeb1;
    String cancelledJob;
    String cleanupJob;

    /**
     * Two sites; web-1 protected and its job waiting (stably) for the recovery host's data port;
     * db-1 protected, its job cancelled, and the cleanup job that follows driven to its end.
     */
    @BeforeAll
    void catalogue() {
        primary = createSite("primary").get("id").asString();
        recovery = createSite("recovery").get("id").asString();
        src = agent(primary, "kvm-src");
        src.domains = List.of(FakeAgent.domain("web-1"), FakeAgent.domain("db-1"));
        src.heartbeat();
        rec = agent(recovery, "kvm-rec");
        stray = agent(primary, "kvm-stray");
        policyId = createPolicy(admin, "gold").get("id").asString();
        pairingId = createPairing("primary-recovery", primary, recovery, policyId, rec.hostId).get("id").asString();
        web1 = machineId(src.hostId, "web-1");

        JsonNode job = protect(web1);
        protectedWeb1 = job.get("targetId").asString();
        await().atMost(Duration.ofSeconds(10)).until(() -> job(job.get("id").asString()).at("/steps/0/message").asString("")
                .contains("data port"));

        JsonNode db1Job = protect(machineId(src.hostId, "db-1"));
        cancelledJob = db1Job.get("id").asString();
        Http.Reply cancel = http.post(Http.API + "/jobs/" + cancelledJob + "/cancel", admin, null);
        assertThat(cancel.status()).as("%s", cancel).isEqualTo(202);
        await().atMost(Duration.ofSeconds(10)).until(() -> job(cancelledJob).get("state").asString().equals("CANCELLED"));
        JsonNode cleanup = http.get(Http.API + "/jobs?type=DISABLE_PROTECTION&targetId=" + db1Job.get("targetId").asString(), admin)
                .json().at("/items/0");
        assertThat(cleanup.get("requestedBy").asString()).contains(cancelledJob);
        cleanupJob = cleanup.get("id").asString();
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            src.heartbeat(List.of(), List.of(), List.of(new CleanupReport(cleanupJob + "-checkpoints", true, null)));
            rec.heartbeat(List.of(), List.of(new RepositoryReport("primary-recovery", true, List.of(), List.of("db-1"), 0, 0, null)), List.of());
            return job(cleanupJob).get("state").asString().equals("SUCCEEDED");
        });
    }

    private JsonNode protect(String machineId) {
        Http.Reply r = http.post(Http.API + "/protected-machines", admin, Map.of("machineId", machineId, "pairingId", pairingId));
        assertThat(r.status()).as("%s", r).isEqualTo(202);
        return r.json();
    }

    private Map<String, String> lists() {
        Map<String, String> out = new LinkedHashMap<>();
        for (String l : LISTS) out.put(l, http.get(Http.API + l, admin).body());
        return out;
    }

    /** Runs a refused call and checks it left every list as it was. */
    private Http.Reply refused(java.util.function.Supplier<Http.Reply> call) {
        Map<String, String> before = lists();
        Http.Reply r = call.get();
        assertThat(r.status()).as("%s", r).isBetween(400, 499);
        assertThat(lists()).as("after %s", r).isEqualTo(before);
        return r;
    }

    private static void assertError(Http.Reply r, int status, String code, String... inMessage) {
        assertThat(r.status()).as("%s", r).isEqualTo(status);
        assertThat(r.code()).as("%s", r).isEqualTo(code);
        assertThat(r.message()).as("%s", r).contains(inMessage);
    }

    // ---- malformed bodies

    @Test
    void malformedJsonIsInvalid() {
        for (String path : List.of("/policies", "/pairings", "/protected-machines", "/sites", "/users")) {
            Http.Reply r = refused(() -> http.post(Http.API + path, admin, "{\"name\":"));
            assertError(r, 400, "INVALID_ARGUMENT", "malformed JSON");
        }
        assertError(refused(() -> http.post(Http.API + "/policies", admin, "[1, 2]")), 400, "INVALID_ARGUMENT", "malformed JSON");
        assertError(refused(() -> http.post(Http.API + "/policies", admin, "")), 400, "INVALID_ARGUMENT", "JSON body");
    }

    @Test
    void anUnknownFieldIsNamed() {
        assertError(refused(() -> http.post(Http.API + "/policies", admin, Map.of("name", "silver", "colour", "red"))),
                400, "INVALID_ARGUMENT", "'colour'");
        assertError(refused(() -> http.post(Http.API + "/protected-machines", admin,
                Map.of("machineId", web1, "pairingId", pairingId, "force", true))), 400, "INVALID_ARGUMENT", "'force'");
        assertError(refused(() -> http.post(Http.API + "/sites", admin, Map.of("name", "x", "region", "eu"))),
                400, "INVALID_ARGUMENT", "'region'");
    }

    @Test
    void aMissingRequiredFieldIsNamed() {
        assertError(refused(() -> http.post(Http.API + "/protected-machines", admin, Map.of("machineId", web1))),
                400, "INVALID_ARGUMENT", "pairingId");
        assertError(refused(() -> http.post(Http.API + "/policies", admin, Map.of("copyFrequencySeconds", 60))),
                400, "INVALID_ARGUMENT", "name");
        assertError(refused(() -> http.post(Http.API + "/policies", admin, Map.of("name", "bad name!"))),
                400, "INVALID_ARGUMENT", "name", "bad name!");
    }

    // ---- policy values

    Stream<Arguments> outOfRangePolicies() {
        return Stream.of(
                Arguments.of(Map.of("copyFrequencySeconds", 5), List.of("copyFrequencySeconds", "15", "86400", "5")),
                Arguments.of(Map.of("copyFrequencySeconds", 100000), List.of("copyFrequencySeconds", "15", "86400", "100000")),
                Arguments.of(Map.of("copyFrequencySeconds", 600, "retentionSeconds", 300), List.of("retentionSeconds", "600", "7776000")),
                Arguments.of(Map.of("retentionSeconds", 8_000_000), List.of("retentionSeconds", "7776000")),
                Arguments.of(Map.of("compression", "lz4"), List.of("compression", "zstd", "none", "lz4")),
                Arguments.of(Map.of("compressionLevel", 0), List.of("compressionLevel", "1", "19")),
                Arguments.of(Map.of("compressionLevel", 20), List.of("compressionLevel", "1", "19")),
                Arguments.of(Map.of("copyFrequencySeconds", 600, "appConsistentFrequencySeconds", 300),
                        List.of("appConsistentFrequencySeconds", "copyFrequencySeconds", "600")),
                Arguments.of(Map.of("appConsistentFrequencySeconds", -1), List.of("appConsistentFrequencySeconds")),
                Arguments.of(Map.of("bandwidthLimitBytesPerSecond", -1), List.of("bandwidthLimitBytesPerSecond", ">= 0")),
                Arguments.of(Map.of("copyFrequencySeconds", 600, "rpoThresholdSeconds", 60), List.of("rpoThresholdSeconds", "600")));
    }

    @ParameterizedTest
    @MethodSource("outOfRangePolicies")
    void outOfRangePolicyValuesAreNamedWithTheirRange(Map<String, Object> values, List<String> inMessage) {
        Map<String, Object> body = new LinkedHashMap<>(values);
        body.put("name", "out-of-range");
        Http.Reply created = refused(() -> http.post(Http.API + "/policies", admin, body));
        assertError(created, 400, "INVALID_ARGUMENT", inMessage.toArray(String[]::new));

        String before = http.get(Http.API + "/policies/" + policyId, admin).body();
        body.put("name", "gold");
        Http.Reply updated = refused(() -> http.put(Http.API + "/policies/" + policyId, admin, body));
        assertError(updated, 400, "INVALID_ARGUMENT", inMessage.toArray(String[]::new));
        assertThat(http.get(Http.API + "/policies/" + policyId, admin).body()).isEqualTo(before);
    }

    @Test
    void badPagingIsInvalid() {
        assertError(http.get(Http.API + "/policies?limit=0", admin), 400, "INVALID_ARGUMENT", "limit");
        assertError(http.get(Http.API + "/policies?limit=501", admin), 400, "INVALID_ARGUMENT", "limit");
        assertError(http.get(Http.API + "/policies?after=nope", admin), 400, "INVALID_ARGUMENT", "nope");
        assertError(http.get(Http.API + "/audit?after=nope", admin), 400, "INVALID_ARGUMENT", "nope");
    }

    // ---- unknown ids

    @Test
    void unknownIdsAreNotFound() {
        for (String path : List.of("/machines/nope", "/jobs/nope", "/hosts/nope", "/sites/nope", "/policies/nope", "/pairings/nope",
                "/protected-machines/nope", "/protected-machines/nope/points")) {
            assertError(http.get(Http.API + path, admin), 404, "NOT_FOUND", "'nope'");
        }
        assertError(refused(() -> http.post(Http.API + "/protected-machines", admin, Map.of("machineId", "nope", "pairingId", pairingId))),
                404, "NOT_FOUND", "machine", "'nope'");
        assertError(refused(() -> http.post(Http.API + "/protected-machines", admin, Map.of("machineId", web1, "pairingId", "nope"))),
                404, "NOT_FOUND", "pairing", "'nope'");
        assertError(refused(() -> http.post(Http.API + "/protected-machines/nope/unprotect", admin, Map.of("deletePoints", false))),
                404, "NOT_FOUND", "protected machine", "'nope'");
        assertError(refused(() -> http.post(Http.API + "/jobs/nope/cancel", admin, null)), 404, "NOT_FOUND", "'nope'");
        assertError(refused(() -> http.delete(Http.API + "/policies/nope", admin)), 404, "NOT_FOUND", "'nope'");
        assertError(refused(() -> http.delete(Http.API + "/pairings/nope", admin)), 404, "NOT_FOUND", "'nope'");
        assertError(refused(() -> http.post(Http.API + "/sites/nope/registration-keys", admin, null)), 404, "NOT_FOUND", "'nope'");
        Map<String, Object> pairing = pairingBody("new-pairing");
        pairing.put("policyId", "nope");
        assertError(refused(() -> http.post(Http.API + "/pairings", admin, pairing)), 404, "NOT_FOUND", "policy", "'nope'");
        pairing.put("policyId", policyId);
        pairing.put("recoveryHostId", "nope");
        assertError(refused(() -> http.post(Http.API + "/pairings", admin, pairing)), 404, "NOT_FOUND", "host", "'nope'");
    }

    @Test
    void unknownEndpointsAreNotFoundAsJson() {
        Http plain = http.withoutSpecCheck();
        for (String path : List.of(Http.API + "/nope", Http.API + "/sites/a/b/c", "/nope")) {
            for (String accept : List.of("*/*", "application/json", "text/html")) {
                Http.Reply r = plain.send("GET", path, admin, null, Map.of("Accept", accept));
                assertThat(r.status()).as("%s", r).isEqualTo(404);
                assertThat(r.contentType()).startsWith("application/json");
                assertThat(r.code()).isEqualTo("NOT_FOUND");
                assertThat(r.message()).contains(path);
            }
        }
        for (String path : List.of(Http.API + "/nope", Http.API + "/sites")) {
            Http.Reply r = plain.delete(path, admin);
            assertThat(r.status()).as("%s", r).isEqualTo(404);
            assertThat(r.contentType()).startsWith("application/json");
            assertThat(r.code()).isEqualTo("NOT_FOUND");
            assertThat(r.message()).contains(path);
        }
    }

    // ---- wrong state

    @Test
    void protectingAProtectedMachineIsWrongState() {
        Http.Reply r = refused(() -> http.post(Http.API + "/protected-machines", admin, Map.of("machineId", web1, "pairingId", pairingId)));
        assertError(r, 409, "WRONG_STATE", "web-1", "already protected", protectedWeb1);
    }

    @Test
    void unprotectingWhileTheEnableJobRunsIsAConflict() {
        Http.Reply r = refused(() -> http.post(Http.API + "/protected-machines/" + protectedWeb1 + "/unprotect", admin, null));
        assertThat(r.status()).isEqualTo(409);
        assertThat(r.message()).contains("web-1").contains("ENABLE_PROTECTION");
    }

    @Test
    void aPairingOfASiteWithItselfIsInvalid() {
        Map<String, Object> body = pairingBody("self-pairing");
        body.put("recoverySiteId", primary);
        body.put("recoveryHostId", stray.hostId);
        assertError(refused(() -> http.post(Http.API + "/pairings", admin, body)), 400, "INVALID_ARGUMENT", "same", "primary");
    }

    @Test
    void aRecoveryHostOutsideTheRecoverySiteIsInvalid() {
        Map<String, Object> body = pairingBody("stray-pairing");
        body.put("recoveryHostId", stray.hostId);
        assertError(refused(() -> http.post(Http.API + "/pairings", admin, body)), 400, "INVALID_ARGUMENT", "kvm-stray", "recovery");
    }

    @Test
    void aPolicyInUseCannotBeDeleted() {
        assertError(refused(() -> http.delete(Http.API + "/policies/" + policyId, admin)), 409, "CONFLICT", "gold", "in use");
    }

    @Test
    void aPairingThatProtectsMachinesCannotBeDeleted() {
        assertError(refused(() -> http.delete(Http.API + "/pairings/" + pairingId, admin)), 409, "CONFLICT", "primary-recovery");
    }

    @Test
    void aFinishedJobCannotBeCancelled() {
        for (String id : List.of(cancelledJob, cleanupJob)) {
            Http.Reply r = refused(() -> http.post(Http.API + "/jobs/" + id + "/cancel", admin, null));
            assertError(r, 409, "WRONG_STATE", id);
        }
    }

    // ---- duplicates

    @Test
    void duplicateNamesAreConflicts() {
        assertError(refused(() -> http.post(Http.API + "/sites", admin, Map.of("name", "primary"))), 409, "CONFLICT", "primary");
        assertError(refused(() -> http.post(Http.API + "/policies", admin, Map.of("name", "gold"))), 409, "CONFLICT", "gold");
        assertError(refused(() -> http.post(Http.API + "/pairings", admin, pairingBody("primary-recovery"))), 409, "CONFLICT",
                "primary-recovery");
        assertError(refused(() -> http.post(Http.API + "/users", admin, Map.of("name", "admin", "password", USER_PASSWORD, "role", "VIEWER"))),
                409, "CONFLICT", "admin");
        JsonNode other = createPolicy(admin, "gold-2");
        Http.Reply rename = refused(() -> http.put(Http.API + "/policies/" + other.get("id").asString(), admin, Map.of("name", "gold")));
        assertError(rename, 409, "CONFLICT", "gold");
    }

    @Test
    void aSecondPairingOnTheSameRepositoryIsAConflict() {
        Map<String, Object> body = pairingBody("copycat");
        body.put("repositoryName", "primary-recovery");
        assertError(refused(() -> http.post(Http.API + "/pairings", admin, body)), 409, "CONFLICT", "primary-recovery", "kvm-rec");
    }

    @Test
    void aBlankIdempotencyKeyIsInvalid() {
        Http.Reply blank = refused(() -> http.send("POST", Http.API + "/protected-machines", admin,
                Map.of("machineId", web1, "pairingId", pairingId), Map.of("Idempotency-Key", " ")));
        assertError(blank, 400, "INVALID_ARGUMENT", "Idempotency-Key");
    }

    private Map<String, Object> pairingBody(String name) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", name);
        body.put("primarySiteId", primary);
        body.put("recoverySiteId", recovery);
        body.put("policyId", policyId);
        body.put("recoveryHostId", rec.hostId);
        return body;
    }
}
