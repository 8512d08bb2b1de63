package io.ferry.transport.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CertificateAuthorityTest {
  @TempDir Path dir;

  @Test
  void createThenLoadGivesTheSameCaAndTheKeyFileIsPrivate() throws Exception {
    Path caDir = dir.resolve("ca");
    CertificateAuthority created = CertificateAuthority.createOrLoad(caDir, "Ferry test CA");
    CertificateAuthority loaded = CertificateAuthority.createOrLoad(caDir, "another name is ignored");

    assertThat(loaded.fingerprint()).isEqualTo(created.fingerprint()).matches("sha256:[0-9a-f]{64}");
    assertThat(loaded.certificate()).isEqualTo(created.certificate());
    assertThat(Certificates.commonName(loaded.certificate())).contains("Ferry test CA");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(caDir.resolve("ca.key")))).isEqualTo("rw-------");
    assertThat(Files.readString(caDir.resolve("ca.key"))).startsWith("-----BEGIN PRIVATE KEY-----");
    assertThat(Pem.readCertificate(Files.readString(caDir.resolve("ca.pem")), "ca.pem")).isEqualTo(created.certificate());
    assertThat(Pem.readCertificate(created.certificatePem(), "pem")).isEqualTo(created.certificate());

    X509Certificate c = created.certificate();
    assertThat(c.getBasicConstraints()).isGreaterThanOrEqualTo(0);
    assertThat(c.getNotAfter().toInstant()).isAfter(Instant.now().plus(Duration.ofDays(3640)));
    // a fingerprint given in openssl's style pins the same certificate
    String openssl = created.fingerprint().substring(7).toUpperCase().replaceAll("(..)(?!$)", "$1:");
    assertThat(Certificates.normalizeFingerprint(openssl)).isEqualTo(created.fingerprint());
  }

  @Test
  void aHalfPresentCaIsRefusedWithAHint() throws Exception {
    Path caDir = dir.resolve("ca");
    CertificateAuthority.createOrLoad(caDir, "CA");
    Files.delete(caDir.resolve("ca.pem"));
    assertThatThrownBy(() -> CertificateAuthority.createOrLoad(caDir, "CA")).isInstanceOf(TlsException.class)
        .hasMessageContaining("incomplete").hasMessageContaining("ca.pem").hasMessageContaining("hint");
  }

  @Test
  void anAgentCertificateNamesTheAgentAndServesBothEnds() throws Exception {
    TestPki pki = new TestPki(dir.resolve("ca"), "CA");
    CertificateRequest req = CertificateRequest.generate("host-17");
    X509Certificate cert = pki.ca.signAgent(req.csrPem(), "agent-17", Duration.ofDays(30));

    assertThat(Certificates.commonName(cert)).contains("agent-17");
    assertThat(cert.getExtendedKeyUsage()).containsExactlyInAnyOrder("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2");
    assertThat(cert.getPublicKey()).isEqualTo(req.publicKey());
    assertThat(cert.getBasicConstraints()).isEqualTo(-1);
    cert.verify(pki.ca.certificate().getPublicKey());
    assertThat(cert.getNotAfter().toInstant()).isBetween(Instant.now().plus(Duration.ofDays(29)), Instant.now().plus(Duration.ofDays(31)));
    X509Certificate other = pki.ca.signAgent(req.csrPem(), "agent-17", Duration.ofDays(30));
    assertThat(other.getSerialNumber()).isNotEqualTo(cert.getSerialNumber());
  }

  @Test
  void aTamperedRequestIsRefusedWithAClearMessage() throws Exception {
    TestPki pki = new TestPki(dir.resolve("ca"), "CA");
    String pem = CertificateRequest.generate("agent-honest").csrPem();
    // change the requested subject inside the signed part: still parses, no longer verifies
    byte[] der = Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", "").trim());
    String asText = new String(der, StandardCharsets.ISO_8859_1);
    int at = asText.indexOf("agent-honest");
    assertThat(at).isPositive();
    der[at] = 'e';
    String tampered = "-----BEGIN CERTIFICATE REQUEST-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der) + "\n-----END CERTIFICATE REQUEST-----\n";

    assertThatThrownBy(() -> pki.ca.signAgent(tampered, "agent-1", Duration.ofDays(1))).isInstanceOf(TlsException.class)
        .hasMessageContaining("agent 'agent-1'").hasMessageContaining("not validly signed").hasMessageContaining("no certificate was issued")
        .hasMessageContaining("hint: generate a new request");
    assertThatThrownBy(() -> pki.ca.signAgent("not a request", "agent-1", Duration.ofDays(1))).isInstanceOf(TlsException.class)
        .hasMessageContaining("agent 'agent-1'").hasMessageContaining("no PEM certificate request");
    assertThatThrownBy(() -> pki.ca.signAgent(pem, "../etc", Duration.ofDays(1))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("invalid agent id");
  }

  @Test
  void aServerCertificateCarriesDnsAndIpNamesAndTheCaInItsChain() throws Exception {
    TestPki pki = new TestPki(dir.resolve("ca"), "CA");
    TlsIdentity server = pki.ca.issueServer("vault", List.of("vault.example.org", "10.77.3.1", "::1"), Duration.ofDays(90));

    assertThat(server.commonName()).isEqualTo("vault");
    assertThat(server.chain()).hasSize(2).last().isEqualTo(pki.ca.certificate());
    assertThat(server.certificate().getSubjectAlternativeNames()).extracting(l -> l.get(0) + "=" + l.get(1))
        .containsExactly("2=vault.example.org", "7=10.77.3.1", "7=0:0:0:0:0:0:0:1");
    assertThat(server.certificate().getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1");
    assertThatThrownBy(() -> pki.ca.issueServer("vault", List.of("bad name!"), Duration.ofDays(1))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bad name!");
  }

  @Test
  void anIdentitySavesAndLoadsWithAPrivateKeyFile() throws Exception {
    TestPki pki = new TestPki(dir.resolve("ca"), "CA");
    TlsIdentity agent = pki.agent("agent-1");
    Path idDir = dir.resolve("agent");
    assertThat(TlsIdentity.exists(idDir, "agent")).isFalse();
    agent.save(idDir, "agent");

    assertThat(TlsIdentity.exists(idDir, "agent")).isTrue();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(idDir.resolve("agent.key")))).isEqualTo("rw-------");
    TlsIdentity loaded = TlsIdentity.load(idDir, "agent");
    assertThat(loaded.chain()).isEqualTo(agent.chain());
    assertThat(loaded.privateKey().getEncoded()).isEqualTo(agent.privateKey().getEncoded());
    assertThat(loaded.commonName()).isEqualTo("agent-1");
    assertThat(loaded.notAfter()).isEqualTo(agent.certificate().getNotAfter().toInstant());

    // a key from another identity next to this certificate is refused, naming both files
    pki.agent("agent-2").save(dir.resolve("other"), "agent");
    Files.copy(dir.resolve("other/agent.key"), idDir.resolve("agent.key"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    assertThatThrownBy(() -> TlsIdentity.load(idDir, "agent")).isInstanceOf(TlsException.class).hasMessageContaining("agent.key")
        .hasMessageContaining("does not belong to the certificate");
  }
}
