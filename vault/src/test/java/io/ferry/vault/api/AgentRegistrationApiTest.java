package io.ferry.vault.api;

import io.ferry.protocol.Heartbeat;
import io.ferry.protocol.HeartbeatResponse;
import io.ferry.protocol.Inventory;
import io.ferry.protocol.RegisterRequest;
import io.ferry.transport.tls.CertificateAuthority;
import io.ferry.transport.tls.CertificateRequest;
import io.ferry.transport.tls.Tls;
import io.ferry.transport.tls.TlsIdentity;
import io.ferry.vault.auth.Secrets;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import java.io.IOException;
import java.net.Socket;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** POST /agent/register with one-time keys, and mutual TLS on POST /agent/heartbeat. */
class AgentRegistrationApiTest extends VaultApiTest {
    private static final String REGISTER = Http.API + "/agent/register";
    private static final String HEARTBEAT = Http.API + "/agent/heartbeat";

    String siteId;

    @BeforeAll
    void site() {
        siteId = createSite("reg-site").get("id").asString();
    }

    private Http.Reply register(String key, String hostname, String csr) {
        return http.post(REGISTER, null, new RegisterRequest(key, hostname, csr, FakeAgent.VERSION));
    }

    private List<String> hostNames() {
        Http.Reply r = http.get(Http.API + "/hosts?siteId=" + siteId, admin);
        assertThat(r.status()).isEqualTo(200);
        return names(r.json().get("items"), "name");
    }

    private static Heartbeat emptyHeartbeat(String hostname) {
        return new Heartbeat(FakeAgent.VERSION, hostname, null, Instant.now(), new Inventory(List.of(), List.of()), null, null, null, null, null, null, null);
    }

    // ---- registration keys

    @Test
    void aWrongKeyIsUnauthenticatedAndNamesTheHost() {
        Http.Reply r = register("frk_not-a-key-anyone-made", "kvm-wrong-key", CertificateRequest.generate("kvm-wrong-key").csrPem());

        assertThat(r.status()).isEqualTo(401);
        assertThat(r.code()).isEqualTo("UNAUTHENTICATED");
        assertThat(r.message()).contains("kvm-wrong-key");
        assertThat(hostNames()).doesNotContain("kvm-wrong-key");
        JsonNode denied = audit().get(0);
        assertThat(denied.get("action").asString()).isEqualTo("register agent");
        assertThat(denied.get("outcome").asString()).isEqualTo("DENIED");
        assertThat(denied.get("status").asInt()).isEqualTo(401);
    }

    @Test
    void aKeyRegistersOneHostOnce() {
        String key = registrationKey(siteId);
        Http.Reply first = register(key, "kvm-once", CertificateRequest.generate("kvm-once").csrPem());
        assertThat(first.status()).as("%s", first).isEqualTo(201);
        assertThat(first.json().get("siteId").asString()).isEqualTo(siteId);

        Http.Reply second = register(key, "kvm-twice", CertificateRequest.generate("kvm-twice").csrPem());

        assertThat(second.status()).isEqualTo(401);
        assertThat(second.code()).isEqualTo("UNAUTHENTICATED");
        assertThat(second.message()).contains("kvm-twice").contains("already used");
        assertThat(hostNames()).contains("kvm-once").doesNotContain("kvm-twice");
        JsonNode registered = audit().get(1);
        assertThat(registered.get("action").asString()).isEqualTo("register agent");
        assertThat(registered.get("outcome").asString()).isEqualTo("OK");
        assertThat(registered.get("actor").asString()).isEqualTo("agent:" + first.json().get("hostId").asString());
        assertThat(audit().get(0).get("outcome").asString()).isEqualTo("DENIED");
    }

    @Test
    void anExpiredKeyIsUnauthenticated() {
        String expired = Secrets.newSecret("frk_");
        vault.store().createRegistrationKey(siteId, Secrets.hash(expired), Instant.now().minusSeconds(1));
        String valid = Secrets.newSecret("frk_");
        vault.store().createRegistrationKey(siteId, Secrets.hash(valid), Instant.now().plusSeconds(60));

        Http.Reply r = register(expired, "kvm-expired", CertificateRequest.generate("kvm-expired").csrPem());

        assertThat(r.status()).isEqualTo(401);
        assertThat(r.code()).isEqualTo("UNAUTHENTICATED");
        assertThat(r.message()).contains("kvm-expired").contains("expired");
        assertThat(hostNames()).doesNotContain("kvm-expired");
        // the same way of making a key, with an expiry ahead, works: it is the expiry that refused the first
        assertThat(register(valid, "kvm-in-time", CertificateRequest.generate("kvm-in-time").csrPem()).status()).isEqualTo(201);
    }

    @Test
    void aMalformedCsrIsInvalidAndDoesNotConsumeTheKey() {
        String key = registrationKey(siteId);
        String garbage = "-----BEGIN CERTIFICATE REQUEST-----\nbm90IGEgcmVxdWVzdA==\n-----END CERTIFICATE REQUEST-----\n";
        String good = CertificateRequest.generate("kvm-csr").csrPem();
        // a real request whose signature no longer matches (one character of the body changed)
        int mid = good.indexOf('\n') + 40;
        String tampered = good.substring(0, mid) + (good.charAt(mid) == 'A' ? 'B' : 'A') + good.substring(mid + 1);

        for (String bad : List.of(garbage, "not PEM at all", tampered)) {
            Http.Reply r = register(key, "kvm-csr", bad);
            assertThat(r.status()).as("CSR %s: %s", bad, r).isEqualTo(400);
            assertThat(r.code()).isEqualTo("INVALID_ARGUMENT");
            assertThat(r.message()).contains("kvm-csr").contains("certificate request");
        }
        assertThat(hostNames()).doesNotContain("kvm-csr");

        Http.Reply ok = register(key, "kvm-csr", good);
        assertThat(ok.status()).as("the key still works: %s", ok).isEqualTo(201);
        assertThat(hostNames()).containsOnlyOnce("kvm-csr");
    }

    @Test
    void missingFieldsAreInvalid() {
        String key = registrationKey(siteId);
        Http.Reply r = http.post(REGISTER, null, Map.of("key", key, "hostname", "kvm-nocsr"));
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.code()).isEqualTo("INVALID_ARGUMENT");
        assertThat(r.message()).contains("csr");
        assertThat(register(key, "kvm-nocsr", CertificateRequest.generate("x").csrPem()).status()).isEqualTo(201);
    }

    // ---- mutual TLS

    @Test
    void aHeartbeatWithoutClientCertificateIsUnauthenticated() {
        Http.Reply r = http.post(HEARTBEAT, null, emptyHeartbeat("kvm-anonymous"));
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.code()).isEqualTo("UNAUTHENTICATED");
        assertThat(r.message()).contains("client certificate");
        assertThat(r.json().get("hint").asString()).as("UTF-8 survives").contains("--key …");

        // a user's bearer token is no agent identity either
        Http.Reply withToken = http.post(HEARTBEAT, admin, emptyHeartbeat("kvm-anonymous"));
        assertThat(withToken.status()).isEqualTo(401);
    }

    @Test
    void aCertificateFromAnotherAuthorityFailsTheHandshake() throws Exception {
        FakeAgent real = agent(siteId, "kvm-victim");
        CertificateAuthority other = CertificateAuthority.createOrLoad(dir.resolve("other-ca"), "Not the vault CA");
        CertificateRequest csr = CertificateRequest.generate("impostor");
        // the impostor even claims the registered host's id as its common name
        TlsIdentity forged = csr.identity(other.signAgent(csr.csrPem(), real.hostId, Duration.ofDays(1)), other.certificate());

        // a JDK client offers only certificates of the CAs the server names, so it sends none: 401
        Http polite = new Http(vault.url(), Tls.client(forged, vault.ca().certificate()));
        Http.Reply withheld = polite.post(HEARTBEAT, null, emptyHeartbeat("kvm-victim"));
        assertThat(withheld.status()).isEqualTo(401);
        assertThat(withheld.code()).isEqualTo("UNAUTHENTICATED");

        // a client that presents it anyway is refused during the handshake
        Http insistent = new Http(vault.url(), insistentClient(forged, vault.ca().certificate()));
        assertThatThrownBy(() -> insistent.sendOrThrow("POST", HEARTBEAT, null, emptyHeartbeat("kvm-victim"), Map.of()))
                .isInstanceOf(IOException.class);

        Http.Reply host = http.get(Http.API + "/hosts/" + real.hostId, admin);
        assertThat(host.json().get("status").asString()).as("nothing was recorded for the victim").isEqualTo("NEVER_SEEN");
        assertThat(host.json().get("lastHeartbeatAt").isNull()).isTrue();
    }

    /** A TLS 1.3 client that presents {@code id} whatever CAs the server asks for, and trusts {@code ca}. */
    private static SSLContext insistentClient(TlsIdentity id, X509Certificate ca) throws Exception {
        X509ExtendedKeyManager km = new X509ExtendedKeyManager() {
            @Override public String[] getClientAliases(String keyType, Principal[] issuers) { return new String[] {"me"}; }
            @Override public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) { return "me"; }
            @Override public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) { return "me"; }
            @Override public String[] getServerAliases(String keyType, Principal[] issuers) { return null; }
            @Override public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) { return null; }
            @Override public X509Certificate[] getCertificateChain(String alias) { return id.chain().toArray(X509Certificate[]::new); }
            @Override public PrivateKey getPrivateKey(String alias) { return id.privateKey(); }
        };
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("vault-ca", ca);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLSv1.3");
        ctx.init(new KeyManager[] {km}, tmf.getTrustManagers(), null);
        return ctx;
    }

    @Test
    void theRegisteredIdentityHeartbeats() {
        FakeAgent a = agent(siteId, "kvm-good");
        a.domains = List.of(FakeAgent.domain("vm-a"), FakeAgent.domain("vm-b"));
        a.dataAddress = "127.0.0.1:9";
        assertThat(http.get(Http.API + "/hosts/" + a.hostId, admin).json().get("status").asString()).isEqualTo("NEVER_SEEN");

        HeartbeatResponse resp = a.heartbeat();

        assertThat(resp.heartbeatSeconds()).isEqualTo(1);
        assertThat(resp.sources()).isEmpty();
        assertThat(resp.repositories()).isEmpty();
        assertThat(resp.cleanups()).isEmpty();
        JsonNode host = http.get(Http.API + "/hosts/" + a.hostId, admin).json();
        assertThat(host.get("status").asString()).isEqualTo("ONLINE");
        assertThat(host.get("agentVersion").asString()).isEqualTo(FakeAgent.VERSION);
        assertThat(host.get("dataAddress").asString()).isEqualTo("127.0.0.1:9");
        JsonNode machines = http.get(Http.API + "/machines?hostId=" + a.hostId, admin).json().get("items");
        assertThat(names(machines, "name")).containsExactlyInAnyOrder("vm-a", "vm-b");
        assertThat(names(machines, "siteId")).containsOnly(siteId);
        assertThat(machines.get(0).at("/disks/0/target").asString()).isEqualTo("vda");
        assertThat(machines.get(0).get("protection").isNull()).isTrue();
    }

    @Test
    void aMalformedHeartbeatIsInvalid() {
        FakeAgent a = agent(siteId, "kvm-garbled");
        for (String body : List.of("{\"agentVersion\":", "[]", "{\"agentVersion\": \"1\", \"inventory\": 7}")) {
            Http.Reply r = a.rawHeartbeat(body);
            assertThat(r.status()).as("%s", r).isEqualTo(400);
            assertThat(r.code()).isEqualTo("INVALID_ARGUMENT");
            assertThat(r.message()).contains("/agent/heartbeat");
        }
        assertThat(http.get(Http.API + "/hosts/" + a.hostId, admin).json().get("status").asString()).isEqualTo("NEVER_SEEN");
    }

    @Test
    void anAgentCertificateIsNoUserIdentity() {
        FakeAgent a = agent(siteId, "kvm-curious");
        Http asAgent = new Http(vault.url(), Tls.client(a.identity, vault.ca().certificate()));
        Http.Reply r = asAgent.get(Http.API + "/sites", null);
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.code()).isEqualTo("UNAUTHENTICATED");
    }

    @Test
    void aVaultCertificateOfAnUnregisteredHostIsRefused() throws Exception {
        CertificateRequest csr = CertificateRequest.generate("ghost");
        TlsIdentity ghost = csr.identity(vault.ca().signAgent(csr.csrPem(), "host-ghost", Duration.ofDays(1)), vault.ca().certificate());
        Http asGhost = new Http(vault.url(), Tls.client(ghost, vault.ca().certificate()));

        Http.Reply r = asGhost.post(HEARTBEAT, null, emptyHeartbeat("ghost"));

        assertThat(r.status()).isEqualTo(401);
        assertThat(r.code()).isEqualTo("UNAUTHENTICATED");
        assertThat(r.message()).contains("host-ghost");
        assertThat(http.get(Http.API + "/hosts/host-ghost", admin).status()).isEqualTo(404);
    }
}
