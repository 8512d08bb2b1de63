package io.ferry.vault.api;

import io.ferry.protocol.CleanupReport;
import io.ferry.protocol.Heartbeat;
import io.ferry.protocol.HeartbeatResponse;
import io.ferry.protocol.Inventory;
import io.ferry.protocol.RegisterRequest;
import io.ferry.protocol.RegisterResponse;
import io.ferry.protocol.ReplicationReport;
import io.ferry.protocol.RepositoryReport;
import io.ferry.transport.tls.CertificateRequest;
import io.ferry.transport.tls.Pem;
import io.ferry.transport.tls.Tls;
import io.ferry.transport.tls.TlsException;
import io.ferry.transport.tls.TlsIdentity;
import io.ferry.vault.Vault;

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An agent at the protocol boundary: it registers with a key and a CSR like {@code ferry agent},
 * then sends the heartbeats a test composes (inventory and reports) over mutual TLS with the
 * certificate the vault issued. No libvirt, no data port: the API is what is under test.
 */
final class FakeAgent {
    static final String VERSION = "0.1.0-test";

    final String hostname;
    final String hostId;
    final String siteId;
    final TlsIdentity identity;
    private final Http mtls;
    /** What the next heartbeats report: the host's domains, and its data port (recovery hosts). */
    volatile List<Inventory.Domain> domains = List.of();
    volatile String dataAddress;

    private FakeAgent(String hostname, String hostId, String siteId, TlsIdentity identity, Http mtls) {
        this.hostname = hostname;
        this.hostId = hostId;
        this.siteId = siteId;
        this.identity = identity;
        this.mtls = mtls;
    }

    /** Registers {@code hostname} with {@code key}; fails the test unless the vault answers 201 with a usable certificate. */
    static FakeAgent register(Vault vault, Http http, String key, String hostname) {
        CertificateRequest csr = CertificateRequest.generate(hostname);
        Http.Reply r = http.post(Http.API + "/agent/register", null, new RegisterRequest(key, hostname, csr.csrPem(), VERSION));
        assertThat(r.status()).as("registration of %s: %s", hostname, r).isEqualTo(201);
        RegisterResponse reg = r.as(RegisterResponse.class);
        try {
            X509Certificate cert = Pem.readCertificate(reg.certificate(), "the certificate of " + hostname);
            assertThat(Pem.readCertificate(reg.caCertificate(), "the CA").getEncoded()).isEqualTo(vault.ca().certificate().getEncoded());
            TlsIdentity id = csr.identity(cert, vault.ca().certificate());
            assertThat(id.commonName()).as("the vault names the agent by its host id").isEqualTo(reg.hostId());
            return new FakeAgent(hostname, reg.hostId(), reg.siteId(), id,
                    new Http(vault.url(), Tls.client(id, vault.ca().certificate())));
        } catch (TlsException | java.security.cert.CertificateEncodingException e) {
            throw new AssertionError("the registration answer of " + hostname + " is unusable: " + e.getMessage(), e);
        }
    }

    static Inventory.Domain domain(String name) {
        return new Inventory.Domain(UUID.nameUUIDFromBytes(name.getBytes()).toString(), name, "RUNNING",
                List.of(new Inventory.Disk("vda", "/var/lib/libvirt/images/" + name + ".qcow2", "qcow2", 10L << 30)),
                List.of(new Inventory.Nic("default", "52:54:00:12:34:" + String.format("%02x", Math.abs(name.hashCode()) % 256))));
    }

    HeartbeatResponse heartbeat() {
        return heartbeat(List.of(), List.of(), List.of());
    }

    HeartbeatResponse heartbeat(List<ReplicationReport> replications, List<RepositoryReport> repositories, List<CleanupReport> cleanups) {
        Http.Reply r = heartbeatReply(replications, repositories, cleanups);
        assertThat(r.status()).as("heartbeat of %s: %s", hostname, r).isEqualTo(200);
        return r.as(HeartbeatResponse.class);
    }

    /** A heartbeat whose body is {@code json} as it is (malformed bodies). */
    Http.Reply rawHeartbeat(String json) {
        return mtls.post(Http.API + "/agent/heartbeat", null, json);
    }

    Http.Reply heartbeatReply(List<ReplicationReport> replications, List<RepositoryReport> repositories, List<CleanupReport> cleanups) {
        return heartbeatReply(replications, repositories, cleanups, List.of(), List.of());
    }

    /** Seed and restore reports the next heartbeats carry (reprotect and failback tests). */
    List<io.ferry.protocol.SeedReport> seeds = List.of();
    List<io.ferry.protocol.RestoreReport> restores = List.of();

    Http.Reply heartbeatReply(List<ReplicationReport> replications, List<RepositoryReport> repositories, List<CleanupReport> cleanups,
                              List<io.ferry.protocol.RecoveryVmReport> recoveryVms, List<io.ferry.protocol.PowerReport> power) {
        Heartbeat hb = new Heartbeat(VERSION, hostname, dataAddress, Instant.now(), new Inventory(domains, List.of("default")),
                replications, repositories, cleanups, recoveryVms, power, seeds, restores);
        return mtls.post(Http.API + "/agent/heartbeat", null, hb);
    }
}
