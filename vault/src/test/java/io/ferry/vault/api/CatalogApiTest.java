package io.ferry.vault.api;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Policies, pairings, users, paging and alerts: what the catalogue calls do when they succeed. */
class CatalogApiTest extends VaultApiTest {
    String primary;
    String recovery;
    FakeAgent rec;

    @BeforeAll
    void sites() {
        primary = createSite("cat-primary").get("id").asString();
        recovery = createSite("cat-recovery").get("id").asString();
        rec = agent(recovery, "kvm-cat-rec");
        rec.heartbeat();
    }

    @Test
    void aPolicyTakesItsDefaults() {
        JsonNode p = http.post(Http.API + "/policies", admin, Map.of("name", "defaults")).json();

        assertThat(p.get("copyFrequencySeconds").asInt()).isEqualTo(300);
        assertThat(p.get("retentionSeconds").asInt()).isEqualTo(86400);
        assertThat(p.get("appConsistentFrequencySeconds").asInt()).isZero();
        assertThat(p.get("compression").asString()).isEqualTo("zstd");
        assertThat(p.get("compressionLevel").asInt()).isEqualTo(1);
        assertThat(p.get("encryption").asBoolean()).isFalse();
        assertThat(p.get("bandwidthLimitBytesPerSecond").asLong()).isZero();
        assertThat(p.get("rpoThresholdSeconds").asInt()).isEqualTo(600);
        assertThat(http.get(Http.API + "/policies/defaults", admin).json().get("id").asString())
                .as("a policy is found by name too").isEqualTo(p.get("id").asString());
    }

    @Test
    void putReplacesThePolicyAndOmittedFieldsTakeTheirDefaults() {
        Map<String, Object> full = new LinkedHashMap<>();
        full.put("name", "replace-me");
        full.put("copyFrequencySeconds", 60);
        full.put("retentionSeconds", 7200);
        full.put("compression", "none");
        full.put("bandwidthLimitBytesPerSecond", 1_000_000);
        JsonNode created = http.post(Http.API + "/policies", admin, full).json();
        assertThat(created.get("rpoThresholdSeconds").asInt()).isEqualTo(120);

        // what `ferry policies update --copy-frequency 5m` sends: the current fields, without the default RPO threshold
        Map<String, Object> update = new LinkedHashMap<>(full);
        update.put("copyFrequencySeconds", 300);
        Http.Reply r = http.put(Http.API + "/policies/" + created.get("id").asString(), admin, update);

        assertThat(r.status()).as("%s", r).isEqualTo(200);
        JsonNode p = r.json();
        assertThat(p.get("copyFrequencySeconds").asInt()).isEqualTo(300);
        assertThat(p.get("rpoThresholdSeconds").asInt()).as("the default follows the new frequency").isEqualTo(600);
        assertThat(p.get("retentionSeconds").asInt()).isEqualTo(7200);
        assertThat(p.get("compression").asString()).isEqualTo("none");
        assertThat(p.get("createdAt").asString()).isEqualTo(created.get("createdAt").asString());

        JsonNode bare = http.put(Http.API + "/policies/" + created.get("id").asString(), admin, Map.of("name", "replace-me")).json();
        assertThat(bare.get("compression").asString()).isEqualTo("zstd");
        assertThat(bare.get("bandwidthLimitBytesPerSecond").asLong()).isZero();
        assertThat(bare.get("copyFrequencySeconds").asInt()).isEqualTo(300);
        assertThat(bare.get("retentionSeconds").asInt()).isEqualTo(86400);
    }

    @Test
    void encryptionChangesOnlyWhileNoPairingUsesThePolicy() {
        JsonNode p = http.post(Http.API + "/policies", admin, Map.of("name", "secret", "encryption", true)).json();
        String id = p.get("id").asString();
        Http.Reply off = http.put(Http.API + "/policies/" + id, admin, Map.of("name", "secret", "encryption", false));
        assertThat(off.status()).as("unused: %s", off).isEqualTo(200);
        assertThat(off.json().get("encryption").asBoolean()).isFalse();
        assertThat(http.put(Http.API + "/policies/" + id, admin, Map.of("name", "secret", "encryption", true)).status()).isEqualTo(200);

        JsonNode pairing = createPairing("secret-pairing", primary, recovery, id, rec.hostId);
        assertThat(pairing.get("encrypted").asBoolean()).isTrue();
        String before = http.get(Http.API + "/policies/" + id, admin).body();

        Http.Reply refused = http.put(Http.API + "/policies/" + id, admin, Map.of("name", "secret", "encryption", false));

        assertThat(refused.status()).as("%s", refused).isEqualTo(409);
        assertThat(refused.code()).isEqualTo("CONFLICT");
        assertThat(refused.message()).contains("secret-pairing");
        assertThat(http.get(Http.API + "/policies/" + id, admin).body()).isEqualTo(before);
        // the recovery agent is given the key of the encrypted repository
        assertThat(rec.heartbeat().repositories()).anySatisfy(a -> {
            assertThat(a.name()).isEqualTo("secret-pairing");
            assertThat(a.encryptionKey()).isNotBlank();
        });
    }

    @Test
    void aPolicyInUseNamesItsPairingsWhenDeleted() {
        String id = createPolicy(admin, "busy").get("id").asString();
        createPairing("busy-pairing", primary, recovery, id, rec.hostId);
        Http.Reply r = http.delete(Http.API + "/policies/" + id, admin);
        assertThat(r.status()).isEqualTo(409);
        assertThat(r.message()).contains("busy-pairing");

        String unused = createPolicy(admin, "unused").get("id").asString();
        assertThat(http.delete(Http.API + "/policies/" + unused, admin).status()).isEqualTo(204);
        assertThat(http.get(Http.API + "/policies/" + unused, admin).status()).isEqualTo(404);
    }

    @Test
    void aPairingKeepsItsNetworkMappingAndRepositoryName() {
        String policy = createPolicy(admin, "mapped").get("id").asString();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", "mapped-pairing");
        body.put("primarySiteId", "cat-primary"); // sites by name work too
        body.put("recoverySiteId", recovery);
        body.put("policyId", policy);
        body.put("recoveryHostId", rec.hostId);
        body.put("repositoryName", "repo-mapped");
        body.put("networkMapping", Map.of("default", "dr-net", "storage", "dr-storage"));
        Http.Reply r = http.post(Http.API + "/pairings", admin, body);

        assertThat(r.status()).as("%s", r).isEqualTo(201);
        JsonNode p = http.get(Http.API + "/pairings/" + r.json().get("id").asString(), admin).json();
        assertThat(p.get("primarySiteId").asString()).isEqualTo(primary);
        assertThat(p.get("repositoryName").asString()).isEqualTo("repo-mapped");
        assertThat(p.at("/networkMapping/default").asString()).isEqualTo("dr-net");
        assertThat(p.at("/networkMapping/storage").asString()).isEqualTo("dr-storage");
        assertThat(p.get("encrypted").asBoolean()).isFalse();
        assertThat(http.delete(Http.API + "/pairings/" + p.get("id").asString(), admin).status()).isEqualTo(204);
        assertThat(http.get(Http.API + "/pairings/" + p.get("id").asString(), admin).status()).isEqualTo(404);
    }

    @Test
    void listsArePagedWithACursor() {
        for (int i = 0; i < 5; i++) createPolicy(admin, "paged-" + i);
        List<String> all = names(http.get(Http.API + "/policies?limit=500", admin).json().get("items"), "id");

        List<String> seen = new ArrayList<>();
        String after = null;
        int pages = 0;
        do {
            JsonNode page = http.get(Http.API + "/policies?limit=2" + (after == null ? "" : "&after=" + after), admin).json();
            assertThat(page.get("items").size()).isLessThanOrEqualTo(2);
            seen.addAll(names(page.get("items"), "id"));
            after = page.get("next").isNull() ? null : page.get("next").asString();
            pages++;
        } while (after != null && pages < 100);

        assertThat(seen).isEqualTo(all).hasSizeGreaterThanOrEqualTo(5);
        assertThat(pages).isEqualTo((all.size() + 1) / 2);
    }

    @Test
    void usersNeedLongPasswordsAndAKnownRole() {
        Http.Reply shortPw = http.post(Http.API + "/users", admin, Map.of("name", "shorty", "password", "elevenchars", "role", "VIEWER"));
        assertThat(shortPw.status()).isEqualTo(400);
        assertThat(shortPw.message()).contains("12");
        Http.Reply badRole = http.post(Http.API + "/users", admin, Map.of("name", "shorty", "password", USER_PASSWORD, "role", "ROOT"));
        assertThat(badRole.status()).isEqualTo(400);
        assertThat(badRole.message()).contains("ROOT").contains("VIEWER");
        assertThat(names(http.get(Http.API + "/users", admin).json().get("items"), "name")).doesNotContain("shorty");

        Http.Reply ok = http.post(Http.API + "/users", admin, Map.of("name", "shorty", "password", "twelve-chars", "role", "viewer"));
        assertThat(ok.status()).as("%s", ok).isEqualTo(201);
        assertThat(ok.json().get("role").asString()).isEqualTo("VIEWER");
        assertThat(ok.json().get("disabled").asBoolean()).isFalse();
        assertThat(login("shorty", "twelve-chars")).startsWith("fry_");
    }

    @Test
    void alertsAreFilteredByWhetherTheyAreActive() {
        FakeAgent quiet = agent(primary, "kvm-quiet");
        FakeAgent back = agent(primary, "kvm-back");
        // registered and silent for longer than 3 s: both raise AGENT_SILENT
        await().atMost(Duration.ofSeconds(15)).until(() ->
                objectIds(http.get(Http.API + "/alerts?active=true", admin)).containsAll(List.of(quiet.hostId, back.hostId)));
        back.heartbeat();
        await().atMost(Duration.ofSeconds(15)).until(() -> objectIds(http.get(Http.API + "/alerts?active=false", admin)).contains(back.hostId));

        back.heartbeat(); // still not silent while the lists are read
        List<String> active = objectIds(http.get(Http.API + "/alerts?active=true", admin));
        List<String> cleared = objectIds(http.get(Http.API + "/alerts?active=false", admin));
        List<String> all = objectIds(http.get(Http.API + "/alerts", admin));
        assertThat(active).contains(quiet.hostId).doesNotContain(back.hostId);
        assertThat(cleared).contains(back.hostId).doesNotContain(quiet.hostId);
        assertThat(all).contains(quiet.hostId, back.hostId);
        JsonNode alert = http.get(Http.API + "/alerts?active=true", admin).json().get("items").get(0);
        assertThat(alert.get("kind").asString()).isEqualTo("AGENT_SILENT");
        assertThat(alert.get("clearedAt").isNull()).isTrue();
        assertThat(http.get(Http.API + "/alerts?active=maybe", admin).status()).isEqualTo(400);
    }

    private static List<String> objectIds(Http.Reply r) {
        assertThat(r.status()).as("%s", r).isEqualTo(200);
        return names(r.json().get("items"), "objectId");
    }
}
