package io.ferry.cli.remote;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import javax.net.ssl.SSLContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The HTTP client: URLs, paging, headers, and TLS that trusts only the vault's CA and checks the host name. */
class VaultClientTest {
    @TempDir
    static Path pkiDir;
    static String caPem;
    static String otherCaPem;
    static FakeVault tlsVault;
    static FakeVault wrongNameVault;

    @BeforeAll
    static void pki() throws Exception {
        TestPki pki = new TestPki(pkiDir);
        caPem = pki.ca("ferry-test-ca");
        otherCaPem = pki.ca("someone-else-ca");
        SSLContext good = pki.server("vault", "ferry-test-ca", "dns:localhost,ip:127.0.0.1");
        SSLContext wrongName = pki.server("elsewhere", "ferry-test-ca", "dns:elsewhere.example");
        tlsVault = FakeVault.startHttps(good);
        tlsVault.on("GET", "/auth/whoami", 200, "{'id':'u-1','name':'admin','role':'ADMIN','createdAt':'2025-01-01T00:00:00Z','disabled':false}");
        tlsVault.on("POST", "/auth/login", 200, "{'token':'sess-1','expiresAt':'2025-06-02T00:00:00Z','user':"
                + "{'id':'u-1','name':'admin','role':'ADMIN','createdAt':'2025-01-01T00:00:00Z','disabled':false}}");
        wrongNameVault = FakeVault.startHttps(wrongName);
    }

    @AfterAll
    static void stop() {
        tlsVault.close();
        wrongNameVault.close();
    }

    @Test
    void normalizesWhatTheOperatorTypes() {
        assertThat(VaultClient.normalize("vault.example:8443").toString()).isEqualTo("https://vault.example:8443");
        assertThat(VaultClient.normalize("https://vault.example:8443/").toString()).isEqualTo("https://vault.example:8443");
        assertThat(VaultClient.normalize("https://vault.example:8443/api/v1").toString()).isEqualTo("https://vault.example:8443");
        assertThat(VaultClient.normalize("http://127.0.0.1:8080").toString()).isEqualTo("http://127.0.0.1:8080");
        assertThat(VaultClient.normalize("http://localhost:8080").toString()).isEqualTo("http://localhost:8080");
    }

    @Test
    void refusesPlainHttpBeyondLoopbackAndOtherSchemes() {
        assertThatThrownBy(() -> VaultClient.normalize("http://vault.example:8443")).isInstanceOf(VaultException.class)
                .hasMessage("the vault is served over HTTPS, not http://vault.example:8443")
                .extracting(e -> ((VaultException) e).hint()).isEqualTo("use https://vault.example:8443");
        assertThatThrownBy(() -> VaultClient.normalize("ftp://vault.example")).isInstanceOf(VaultException.class);
        assertThatThrownBy(() -> VaultClient.normalize("https://vault.example:8443/portal")).isInstanceOf(VaultException.class);
        assertThatThrownBy(() -> VaultClient.normalize("")).isInstanceOf(VaultException.class);
    }

    @Test
    void followsTheCursorAndSendsTheToken() throws Exception {
        try (FakeVault v = FakeVault.start()) {
            v.on("GET", "/jobs", 200, Canned.page("j-2", "{'id':'j-1'}", "{'id':'j-2'}"));
            v.on("GET", "/jobs?after=j-2", 200, Canned.page("j-3", "{'id':'j-3'}"));
            v.on("GET", "/jobs?after=j-3", 200, Canned.page(null));
            VaultClient c = new VaultClient(VaultClient.normalize(v.url()), "tok-1", null);

            List<JsonNode> all = c.list("/jobs", RemoteCommand.query("state", "RUNNING", "type", null));

            assertThat(all).extracting(n -> n.get("id").asString()).containsExactly("j-1", "j-2", "j-3");
            List<FakeVault.Request> reqs = v.requests("GET", "/jobs");
            assertThat(reqs).hasSize(3);
            assertThat(reqs.get(0).query()).containsEntry("state", "RUNNING").containsEntry("limit", "500").doesNotContainKey("type")
                    .doesNotContainKey("after");
            assertThat(reqs.get(1).query()).containsEntry("after", "j-2");
            assertThat(reqs.get(0).header("Authorization")).isEqualTo("Bearer tok-1");
            assertThat(reqs.get(0).header("Accept")).isEqualTo("application/json");
        }
    }

    @Test
    void stopsAtTheWantedNumberOfItems() throws Exception {
        try (FakeVault v = FakeVault.start()) {
            v.on("GET", "/audit", 200, Canned.page("2", "{'seq':3}", "{'seq':2}"));
            VaultClient c = new VaultClient(VaultClient.normalize(v.url()), "t", null);

            assertThat(c.list("/audit", Map.of(), 2)).hasSize(2);
            assertThat(v.requests("GET", "/audit")).hasSize(1);
            assertThat(v.requests("GET", "/audit").get(0).query()).containsEntry("limit", "2");
        }
    }

    @Test
    void sendsJsonBodiesIdempotencyKeysAndEncodedIds() throws Exception {
        try (FakeVault v = FakeVault.start()) {
            v.on("POST", "/jobs/a b/cancel", 202, Canned.job("a b", "CANCELLING", "finish", null, null).toString());
            VaultClient c = new VaultClient(VaultClient.normalize(v.url()), "t", null);

            JsonNode job = c.post("/jobs/" + VaultClient.seg("a b") + "/cancel", Map.of("x", 1), "key-1");

            assertThat(job.get("state").asString()).isEqualTo("CANCELLING");
            FakeVault.Request r = v.requests("POST", "/jobs/a b/cancel").get(0);
            assertThat(r.header("Idempotency-Key")).isEqualTo("key-1");
            assertThat(r.header("Content-Type")).startsWith("application/json");
            assertThat(r.json().get("x").asInt()).isEqualTo(1);
        }
    }

    @Test
    void trustsTheVaultsCaOverHttps() {
        VaultClient c = new VaultClient(VaultClient.normalize(tlsVault.url()), "t", caPem);

        assertThat(c.get("/auth/whoami").get("name").asString()).isEqualTo("admin");
    }

    @Test
    void refusesAVaultSignedByAnotherCa() {
        VaultClient c = new VaultClient(VaultClient.normalize(tlsVault.url()), "t", otherCaPem);

        assertThatThrownBy(() -> c.get("/auth/whoami")).isInstanceOfSatisfying(VaultException.class, e -> {
            assertThat(e.exitCode()).isEqualTo(3);
            assertThat(e.getMessage()).startsWith("TLS with the vault at " + tlsVault.url() + " failed: ");
            assertThat(e.hint()).contains("ferry login --vault " + tlsVault.url() + " --ca-file ca.pem");
        });
    }

    @Test
    void checksTheHostNameInTheVaultsCertificate() {
        VaultClient c = new VaultClient(VaultClient.normalize(wrongNameVault.url()), "t", caPem);

        assertThatThrownBy(() -> c.get("/auth/whoami")).isInstanceOfSatisfying(VaultException.class, e -> {
            assertThat(e.exitCode()).isEqualTo(3);
            assertThat(e.getMessage()).startsWith("TLS with the vault at ").contains("127.0.0.1");
        });
    }

    @Test
    void refusesACaFileWithoutACertificate() {
        assertThatThrownBy(() -> VaultClient.trusting("not a certificate")).isInstanceOfSatisfying(VaultException.class,
                e -> assertThat(e.hint()).contains("--ca-file"));
    }

    @Test
    void logsInOverHttpsAndSavesTheCaForLaterCommands(@TempDir Path home) throws Exception {
        Path ca = home.resolve("ca.pem");
        Files.writeString(ca, caPem);
        Cli cli = new Cli(home.resolve("ferry").resolve("cli.json"));

        Cli.Result login = cli.runWithStdin("correct horse battery staple\n", "login", "--vault", tlsVault.url(), "--ca-file",
                ca.toString(), "--user", "admin", "--password-stdin");
        Cli.Result whoami = cli.run("whoami");

        assertThat(login.exit()).as(login.err()).isZero();
        assertThat(login.out()).isEqualTo("logged in to " + tlsVault.url() + " as admin (ADMIN); the session ends in 12h\n");
        JsonNode body = tlsVault.requests("POST", "/auth/login").get(0).json();
        assertThat(body.get("username").asString()).isEqualTo("admin");
        assertThat(body.get("password").asString()).isEqualTo("correct horse battery staple");
        assertThat(whoami.exit()).as(whoami.err()).isZero();
        assertThat(whoami.out()).isEqualTo("admin (ADMIN) at " + tlsVault.url() + "\n");
        assertThat(tlsVault.requests("GET", "/auth/whoami").getLast().header("Authorization")).isEqualTo("Bearer sess-1");
    }
}
