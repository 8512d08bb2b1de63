package io.ferry.vault.api;

import io.ferry.transport.tls.Tls;
import io.ferry.vault.Vault;
import io.ferry.vault.VaultConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real vault per test class, in-process, on a free loopback port with a SQLite database in a
 * temporary directory; heartbeats every second, agents silent after 3 s, the monitor every
 * 500 ms. {@link #http} talks to it over HTTPS trusting only its CA; {@link #admin} is a session
 * token of the bootstrap admin.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class VaultApiTest {
    static final String ADMIN_PASSWORD = "admin-pass-123";
    static final String USER_PASSWORD = "user-pass-123";

    Path dir;
    Vault vault;
    Http http;
    String admin;

    @BeforeAll
    void startVault() throws IOException {
        dir = Files.createTempDirectory("ferry-vault-api-");
        vault = Vault.start(configure(baseConfig()));
        http = new Http(vault.url(), Tls.client(null, vault.ca().certificate()));
        admin = login("admin", ADMIN_PASSWORD);
    }

    VaultConfig baseConfig() {
        return VaultConfig.defaults(dir.resolve("vault"))
                .withBind(InetAddress.getLoopbackAddress())
                .withPort(0)
                .withAdminPassword(ADMIN_PASSWORD)
                .withTimings(Duration.ofSeconds(1), Duration.ofSeconds(3), Duration.ofMillis(500));
    }

    /**
     * Stops the vault and starts it again on the same database and port, as an operator's restart
     * would: agents and clients keep their address; connections kept alive to the old process are
     * dead, so callers retry their first call.
     */
    void restartVault() throws IOException {
        int port = java.net.URI.create(vault.url()).getPort();
        vault.close();
        vault = Vault.start(configure(baseConfig()).withPort(port));
    }

    /** Where a subclass changes the vault's configuration (e.g. PostgreSQL instead of SQLite). */
    VaultConfig configure(VaultConfig base) throws IOException {
        return base;
    }

    @AfterAll
    void stopVault() throws IOException {
        if (vault != null) vault.close();
        afterVault();
        if (dir != null) {
            try (Stream<Path> s = Files.walk(dir)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            }
        }
    }

    /** Called after the vault stopped. */
    void afterVault() throws IOException {}

    // ---- users

    String login(String name, String password) {
        Http.Reply r = http.post(Http.API + "/auth/login", null, Map.of("username", name, "password", password));
        assertThat(r.status()).as("login of %s: %s", name, r).isEqualTo(200);
        assertThat(r.json().at("/user/name").asString()).isEqualTo(name);
        return r.json().get("token").asString();
    }

    /** Creates a user with {@code role} (as admin) and returns a session token of it. */
    String userWithRole(String name, String role) {
        Http.Reply r = http.post(Http.API + "/users", admin, Map.of("name", name, "password", USER_PASSWORD, "role", role));
        assertThat(r.status()).as("create user %s: %s", name, r).isEqualTo(201);
        assertThat(r.json().get("role").asString()).isEqualTo(role);
        return login(name, USER_PASSWORD);
    }

    // ---- catalogue

    JsonNode createSite(String name) {
        Http.Reply r = http.post(Http.API + "/sites", admin, Map.of("name", name, "description", "site " + name));
        assertThat(r.status()).as("create site %s: %s", name, r).isEqualTo(201);
        return r.json();
    }

    String registrationKey(String siteId) {
        Http.Reply r = http.post(Http.API + "/sites/" + siteId + "/registration-keys", admin, Map.of("ttlSeconds", 600));
        assertThat(r.status()).as("registration key for %s: %s", siteId, r).isEqualTo(201);
        assertThat(r.json().get("caFingerprint").asString()).isEqualTo(vault.ca().fingerprint());
        return r.json().get("key").asString();
    }

    FakeAgent agent(String siteId, String hostname) {
        return FakeAgent.register(vault, http, registrationKey(siteId), hostname);
    }

    JsonNode createPolicy(String token, String name) {
        Http.Reply r = http.post(Http.API + "/policies", token, Map.of("name", name, "copyFrequencySeconds", 60));
        assertThat(r.status()).as("create policy %s: %s", name, r).isEqualTo(201);
        return r.json();
    }

    JsonNode createPairing(String name, String primarySiteId, String recoverySiteId, String policyId, String recoveryHostId) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("name", name);
        body.put("primarySiteId", primarySiteId);
        body.put("recoverySiteId", recoverySiteId);
        body.put("policyId", policyId);
        body.put("recoveryHostId", recoveryHostId);
        Http.Reply r = http.post(Http.API + "/pairings", admin, body);
        assertThat(r.status()).as("create pairing %s: %s", name, r).isEqualTo(201);
        return r.json();
    }

    /** The id of the machine called {@code name} on {@code hostId}, once the agent's inventory reached the vault. */
    String machineId(String hostId, String name) {
        Http.Reply r = http.get(Http.API + "/machines?hostId=" + hostId + "&name=" + name, admin);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().get("items")).as("machine %s on %s", name, hostId).hasSize(1);
        return r.json().at("/items/0/id").asString();
    }

    JsonNode job(String id) {
        Http.Reply r = http.get(Http.API + "/jobs/" + id, admin);
        assertThat(r.status()).as("job %s: %s", id, r).isEqualTo(200);
        return r.json();
    }

    static JsonNode step(JsonNode job, String name) {
        for (JsonNode s : job.get("steps")) if (s.get("name").asString().equals(name)) return s;
        throw new AssertionError("job " + job.get("id") + " has no step " + name + ": " + job);
    }

    static List<String> names(JsonNode array, String field) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.path(field).asString()));
        return out;
    }

    /** The audit log, newest first (up to 500 entries). */
    JsonNode audit() {
        Http.Reply r = http.get(Http.API + "/audit?limit=500", admin);
        assertThat(r.status()).as("audit: %s", r).isEqualTo(200);
        return r.json().get("items");
    }
}
