package io.ferry.agent;

import io.ferry.protocol.RegisterRequest;
import io.ferry.protocol.RegisterResponse;
import io.ferry.transport.tls.CertificateRequest;
import io.ferry.transport.tls.Pem;
import io.ferry.transport.tls.Tls;
import io.ferry.transport.tls.TlsIdentity;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;

/**
 * Who this agent is: its host id, its key and certificate from the vault's CA, and that CA.
 * Files in the state directory: {@code agent.key} (0600), {@code agent.pem}, {@code ca.pem},
 * {@code agent.json} ({hostId, siteId, vault}).
 */
public record AgentIdentity(String hostId, String siteId, TlsIdentity tls, X509Certificate ca) {
    static final String NAME = "agent";

    record Saved(String hostId, String siteId, String vault) {}

    public static boolean exists(Path stateDir) {
        return Files.exists(stateDir.resolve("agent.json")) && TlsIdentity.exists(stateDir, NAME);
    }

    public static AgentIdentity load(Path stateDir) throws IOException {
        Saved s = Json.MAPPER.readValue(stateDir.resolve("agent.json").toFile(), Saved.class);
        List<X509Certificate> ca = Pem.readCertificates(Files.readString(stateDir.resolve("ca.pem")), "the vault CA in " + stateDir);
        return new AgentIdentity(s.hostId(), s.siteId(), TlsIdentity.load(stateDir, NAME), ca.getFirst());
    }

    /**
     * Registers with the vault using a one-time key; the first connection trusts the vault only
     * if its CA has the fingerprint the key came with. Writes the identity files.
     */
    public static AgentIdentity register(AgentConfig cfg, String agentVersion) throws IOException {
        if (cfg.registrationKey() == null || cfg.caFingerprint() == null) {
            throw new AgentException("agent in " + cfg.stateDir() + " is not registered and no registration key was given",
                    "create one with `ferry registration-key SITE` and start the agent with --key KEY --ca-fingerprint FP");
        }
        Files.createDirectories(cfg.stateDir());
        Files.setPosixFilePermissions(cfg.stateDir(), PosixFilePermissions.fromString("rwx------"));
        CertificateRequest csr = CertificateRequest.generate(cfg.hostname());
        HttpClient http = HttpClient.newBuilder().sslContext(Tls.pinned(cfg.caFingerprint()))
                .connectTimeout(Duration.ofSeconds(10)).build();
        byte[] body = Json.MAPPER.writeValueAsBytes(new RegisterRequest(cfg.registrationKey(), cfg.hostname(), csr.csrPem(), agentVersion));
        URI uri = cfg.vault().resolve("/api/v1/agent/register");
        HttpResponse<String> resp;
        try {
            resp = http.send(HttpRequest.newBuilder(uri).timeout(cfg.requestTimeout())
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("registration with " + uri + " interrupted", e);
        } catch (IOException e) {
            throw new AgentException("cannot register with the vault at " + uri + ": " + e,
                    "check the vault URL and that the CA fingerprint is the one `ferry registration-key` printed", e);
        }
        if (resp.statusCode() != 201 && resp.statusCode() != 200) {
            throw new AgentException("the vault at " + uri + " refused the registration of " + cfg.hostname()
                    + " (HTTP " + resp.statusCode() + "): " + resp.body(),
                    "registration keys work once and expire; create a new one with `ferry registration-key SITE`");
        }
        RegisterResponse r = Json.MAPPER.readValue(resp.body(), RegisterResponse.class);
        List<X509Certificate> chain = Pem.readCertificates(r.certificate(), "the certificate the vault issued");
        X509Certificate ca = Pem.readCertificates(r.caCertificate(), "the vault CA certificate").getFirst();
        TlsIdentity tls = new TlsIdentity(csr.privateKey(), chain);
        tls.save(cfg.stateDir(), NAME);
        Files.writeString(cfg.stateDir().resolve("ca.pem"), r.caCertificate());
        Json.MAPPER.writeValue(cfg.stateDir().resolve("agent.json").toFile(), new Saved(r.hostId(), r.siteId(), cfg.vault().toString()));
        return new AgentIdentity(r.hostId(), r.siteId(), tls, ca);
    }
}
