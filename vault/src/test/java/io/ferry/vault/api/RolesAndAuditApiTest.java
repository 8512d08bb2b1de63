package io.ferry.vault.api;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Who may do what, and the audit log's record of it. */
class RolesAndAuditApiTest extends VaultApiTest {
    String viewer;
    String operator;
    String siteId;

    @BeforeAll
    void users() {
        viewer = userWithRole("vera", "VIEWER");
        operator = userWithRole("otto", "OPERATOR");
        siteId = createSite("roles-site").get("id").asString();
    }

    /** The sequence number of the newest audit entry: entries after it belong to the test that took it. */
    private long mark() {
        JsonNode items = audit();
        return items.isEmpty() ? 0 : items.get(0).get("seq").asLong();
    }

    private List<JsonNode> auditSince(long mark) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode e : audit()) if (e.get("seq").asLong() > mark) out.add(e);
        return out;
    }

    private static void assertAudited(List<JsonNode> entries, String actor, String action, String outcome, int status) {
        assertThat(entries).as("audit entries %s", entries)
                .anySatisfy(e -> {
                    assertThat(e.get("actor").asString()).isEqualTo(actor);
                    assertThat(e.get("action").asString()).isEqualTo(action);
                    assertThat(e.get("outcome").asString()).isEqualTo(outcome);
                    assertThat(e.get("status").asInt()).isEqualTo(status);
                });
    }

    private static void assertForbidden(Http.Reply r, String user) {
        assertThat(r.status()).as("%s", r).isEqualTo(403);
        assertThat(r.code()).isEqualTo("FORBIDDEN");
        assertThat(r.message()).contains(user);
    }

    private static void assertUnauthenticated(Http.Reply r) {
        assertThat(r.status()).as("%s", r).isEqualTo(401);
        assertThat(r.code()).isEqualTo("UNAUTHENTICATED");
    }

    @Test
    void aViewerReadsEveryList() {
        for (String list : List.of("/sites", "/hosts", "/machines", "/policies", "/pairings", "/protected-machines", "/jobs", "/alerts")) {
            Http.Reply r = http.get(Http.API + list, viewer);
            assertThat(r.status()).as("GET %s as viewer: %s", list, r).isEqualTo(200);
            assertThat(r.json().get("items").isArray()).isTrue();
        }
        JsonNode me = http.get(Http.API + "/auth/whoami", viewer).json();
        assertThat(me.get("name").asString()).isEqualTo("vera");
        assertThat(me.get("role").asString()).isEqualTo("VIEWER");
    }

    @Test
    void aViewerChangesNothingAndEachRefusalIsAudited() {
        long mark = mark();
        String policiesBefore = http.get(Http.API + "/policies", admin).body();
        String protectedBefore = http.get(Http.API + "/protected-machines", admin).body();

        assertForbidden(http.post(Http.API + "/protected-machines", viewer, Map.of("machineId", "m", "pairingId", "p")), "vera");
        assertForbidden(http.post(Http.API + "/policies", viewer, Map.of("name", "viewer-policy")), "vera");
        assertForbidden(http.post(Http.API + "/jobs/job-12345678/cancel", viewer, null), "vera");
        assertForbidden(http.get(Http.API + "/audit", viewer), "vera");
        assertForbidden(http.get(Http.API + "/users", viewer), "vera");

        assertThat(http.get(Http.API + "/policies", admin).body()).isEqualTo(policiesBefore);
        assertThat(http.get(Http.API + "/protected-machines", admin).body()).isEqualTo(protectedBefore);
        List<JsonNode> audit = auditSince(mark);
        assertAudited(audit, "vera", "protect", "DENIED", 403);
        assertAudited(audit, "vera", "create policy", "DENIED", 403);
        assertAudited(audit, "vera", "cancel job", "DENIED", 403);
        assertAudited(audit, "vera", "GET /audit", "DENIED", 403);
        assertAudited(audit, "vera", "GET /users", "DENIED", 403);
        assertThat(audit).allSatisfy(e -> assertThat(e.get("role").asString()).isEqualTo("VIEWER"));
    }

    @Test
    void anOperatorManagesPoliciesButNotSitesOrUsers() {
        long mark = mark();
        String sitesBefore = http.get(Http.API + "/sites", admin).body();
        String usersBefore = http.get(Http.API + "/users", admin).body();

        Http.Reply created = http.post(Http.API + "/policies", operator, Map.of("name", "operators-policy"));
        assertThat(created.status()).as("%s", created).isEqualTo(201);
        String id = created.json().get("id").asString();
        Http.Reply updated = http.put(Http.API + "/policies/" + id, operator, Map.of("name", "operators-policy", "copyFrequencySeconds", 120));
        assertThat(updated.status()).as("%s", updated).isEqualTo(200);
        assertThat(updated.json().get("copyFrequencySeconds").asInt()).isEqualTo(120);

        assertForbidden(http.post(Http.API + "/sites", operator, Map.of("name", "operators-site")), "otto");
        assertForbidden(http.post(Http.API + "/users", operator, Map.of("name", "mallory", "password", USER_PASSWORD, "role", "ADMIN")), "otto");
        assertForbidden(http.post(Http.API + "/sites/" + siteId + "/registration-keys", operator, Map.of()), "otto");

        assertThat(http.get(Http.API + "/sites", admin).body()).isEqualTo(sitesBefore);
        assertThat(http.get(Http.API + "/users", admin).body()).isEqualTo(usersBefore);
        List<JsonNode> audit = auditSince(mark);
        assertAudited(audit, "otto", "create policy", "OK", 201);
        assertAudited(audit, "otto", "update policy", "OK", 200);
        assertAudited(audit, "otto", "create site", "DENIED", 403);
        assertAudited(audit, "otto", "create user", "DENIED", 403);
        assertAudited(audit, "otto", "create registration key", "DENIED", 403);
        JsonNode ok = audit.stream().filter(e -> e.get("action").asString().equals("update policy")).findFirst().orElseThrow();
        assertThat(ok.get("role").asString()).isEqualTo("OPERATOR");
        assertThat(ok.get("target").asString()).contains(id);
    }

    @Test
    void noTokenOrAnUnknownTokenIsUnauthenticatedAndAudited() {
        long mark = mark();
        String policiesBefore = http.get(Http.API + "/policies", admin).body();

        assertUnauthenticated(http.get(Http.API + "/sites", null));
        assertUnauthenticated(http.post(Http.API + "/policies", null, Map.of("name", "anonymous-policy")));
        assertUnauthenticated(http.get(Http.API + "/sites", "garbage"));
        assertUnauthenticated(http.get(Http.API + "/sites", "fry_" + "x".repeat(43)));
        assertUnauthenticated(http.post(Http.API + "/policies", "garbage", Map.of("name", "garbage-policy")));
        assertUnauthenticated(http.send("GET", Http.API + "/sites", null, null, Map.of("Authorization", "Basic YWRtaW46YWRtaW4=")));

        assertThat(http.get(Http.API + "/policies", admin).body()).isEqualTo(policiesBefore);
        List<JsonNode> audit = auditSince(mark);
        assertThat(audit.stream().filter(e -> e.get("action").asString().equals("create policy")
                && e.get("outcome").asString().equals("DENIED") && e.get("status").asInt() == 401)).hasSize(2);
        assertThat(audit.stream().filter(e -> e.get("action").asString().equals("GET /sites")
                && e.get("outcome").asString().equals("DENIED") && e.get("status").asInt() == 401))
                .as("every refused read is audited too: %s", audit).hasSize(4);
        assertThat(audit).allSatisfy(e -> assertThat(e.get("actor").asString()).isEqualTo("anonymous"));
    }

    @Test
    void aRevokedApiTokenIsRefusedAtOnce() {
        Http.Reply made = http.post(Http.API + "/tokens", viewer, Map.of("name", "ci", "expiresInSeconds", 3600));
        assertThat(made.status()).as("%s", made).isEqualTo(201);
        String token = made.json().get("token").asString();
        assertThat(http.get(Http.API + "/auth/whoami", token).json().get("name").asString()).isEqualTo("vera");

        assertThat(http.delete(Http.API + "/tokens/" + made.json().get("id").asString(), viewer).status()).isEqualTo(204);

        assertUnauthenticated(http.get(Http.API + "/auth/whoami", token));
    }

    @Test
    void successfulOperationsAreAuditedWithTheirActor() {
        long mark = mark();
        String token = login("otto", USER_PASSWORD);
        Http.Reply wrong = http.post(Http.API + "/auth/login", null, Map.of("username", "otto", "password", "not-his-password"));
        assertUnauthenticated(wrong);
        assertThat(wrong.message()).contains("otto");
        createSite("audited-site");
        createPolicy(token, "audited-policy");

        List<JsonNode> audit = auditSince(mark);
        assertAudited(audit, "otto", "login", "OK", 200);
        assertAudited(audit, "anonymous", "login", "DENIED", 401);
        assertAudited(audit, "admin", "create site", "OK", 201);
        assertAudited(audit, "otto", "create policy", "OK", 201);
        // newest first, and never a secret
        assertThat(audit.get(0).get("seq").asLong()).isGreaterThan(audit.get(audit.size() - 1).get("seq").asLong());
        assertThat(audit.toString()).doesNotContain(USER_PASSWORD).doesNotContain(token);
    }

    @Test
    void theAuditLogIsForAdminsOnly() {
        assertForbidden(http.get(Http.API + "/audit", viewer), "vera");
        assertForbidden(http.get(Http.API + "/audit", operator), "otto");
        assertThat(http.get(Http.API + "/audit?actor=vera", admin).json().get("items"))
                .allSatisfy(e -> assertThat(e.get("actor").asString()).isEqualTo("vera"));
    }
}
