package io.ferry.transport.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferry.transport.tls.LoopbackTlsServer.ClientAuth;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real TLS 1.3 handshakes on loopback between the contexts of {@link Tls}. */
class MutualTlsTest {
  @TempDir Path dir;
  TestPki pki;
  TestPki otherPki;

  @BeforeEach
  void pkis() throws Exception {
    pki = new TestPki(dir.resolve("ca"), "Ferry CA");
    otherPki = new TestPki(dir.resolve("other-ca"), "Ferry CA"); // same name, different key
  }

  @Test
  void anAgentWithASignedRequestCompletesAHandshakeWithAServerThatNeedsClientAuth() throws Exception {
    try (LoopbackTlsServer server = new LoopbackTlsServer(Tls.server(pki.server("localhost", "127.0.0.1"), pki.ca.certificate()), ClientAuth.NEED)) {
      SSLContext client = Tls.client(pki.agent("agent-7"), pki.ca.certificate());
      assertThat(server.talk(client, "127.0.0.1")).isEqualTo("hello agent-7");
      assertThat(server.serverSaw()).isEqualTo("agent-7");
    }
  }

  @Test
  void aClientWithoutACertificateIsRefusedByAServerThatNeedsClientAuth() throws Exception {
    try (LoopbackTlsServer server = new LoopbackTlsServer(Tls.server(pki.server("127.0.0.1"), pki.ca.certificate()), ClientAuth.NEED)) {
      SSLContext anonymous = Tls.client(null, pki.ca.certificate());
      assertThatThrownBy(() -> server.talk(anonymous, "127.0.0.1")).isInstanceOf(IOException.class);
      assertThatThrownBy(server::serverSaw).isInstanceOf(ExecutionException.class).cause().hasMessageContaining("certificate");
    }
  }

  @Test
  void aClientWithACertificateFromAnotherCaIsRefused() throws Exception {
    try (LoopbackTlsServer server = new LoopbackTlsServer(Tls.server(pki.server("127.0.0.1"), pki.ca.certificate()), ClientAuth.NEED)) {
      // trusts the right CA for the server, but presents a certificate of the other CA
      SSLContext stranger = Tls.client(otherPki.agent("agent-7"), pki.ca.certificate());
      assertThatThrownBy(() -> server.talk(stranger, "127.0.0.1")).isInstanceOf(IOException.class);
      assertThatThrownBy(server::serverSaw).isInstanceOf(ExecutionException.class);
    }
  }

  @Test
  void aClientRefusesAServerOfAnotherCa() throws Exception {
    try (LoopbackTlsServer server = new LoopbackTlsServer(Tls.server(otherPki.server("127.0.0.1"), otherPki.ca.certificate()), ClientAuth.WANT)) {
      assertThatThrownBy(() -> server.talk(Tls.client(pki.agent("a"), pki.ca.certificate()), "127.0.0.1")).isInstanceOf(IOException.class)
          .hasMessageContaining("PKIX");
    }
  }

  @Test
  void aClientChecksTheServerNameEvenOnAPlainSocket() throws Exception {
    try (LoopbackTlsServer server = new LoopbackTlsServer(Tls.server(pki.server("vault.example.org"), pki.ca.certificate()), ClientAuth.WANT)) {
      assertThatThrownBy(() -> server.talk(Tls.client(null, pki.ca.certificate()), "127.0.0.1")).isInstanceOf(IOException.class)
          .hasMessageContaining("not valid for '127.0.0.1'").hasMessageContaining("vault.example.org");
    }
    try (LoopbackTlsServer server = new LoopbackTlsServer(Tls.server(pki.server("127.0.0.1"), pki.ca.certificate()), ClientAuth.WANT)) {
      assertThat(server.talk(Tls.client(null, pki.ca.certificate()), "127.0.0.1")).isEqualTo("hello (none)");
    }
  }

  @Test
  void clientForPeerAcceptsTheExpectedAgentWithoutAHostName() throws Exception {
    // the recovery agent serves its data port with its agent certificate: no SANs at all
    TlsIdentity recovery = pki.agent("agent-recovery");
    try (LoopbackTlsServer server = new LoopbackTlsServer(Tls.server(recovery, pki.ca.certificate()), ClientAuth.NEED)) {
      SSLContext source = Tls.clientForPeer(pki.agent("agent-source"), pki.ca.certificate(), "agent-recovery");
      assertThat(server.talk(source, "127.0.0.1")).isEqualTo("hello agent-source");
    }
  }

  @Test
  void clientForPeerRefusesAnotherAgentEvenWithAValidChain() throws Exception {
    TlsIdentity impostor = pki.agent("agent-impostor");
    try (LoopbackTlsServer server = new LoopbackTlsServer(Tls.server(impostor, pki.ca.certificate()), ClientAuth.NEED)) {
      SSLContext source = Tls.clientForPeer(pki.agent("agent-source"), pki.ca.certificate(), "agent-recovery");
      assertThatThrownBy(() -> server.talk(source, "127.0.0.1")).isInstanceOf(IOException.class)
          .hasMessageContaining("is agent 'agent-impostor', expected agent 'agent-recovery'");
    }
  }

  @Test
  void clientForPeerRefusesTheRightNameFromAnotherCa() throws Exception {
    try (LoopbackTlsServer server = new LoopbackTlsServer(Tls.server(otherPki.agent("agent-recovery"), pki.ca.certificate()), ClientAuth.NEED)) {
      SSLContext source = Tls.clientForPeer(pki.agent("agent-source"), pki.ca.certificate(), "agent-recovery");
      assertThatThrownBy(() -> server.talk(source, "127.0.0.1")).isInstanceOf(IOException.class).hasMessageContaining("PKIX");
    }
  }

  @Test
  void pinnedTrustsTheServerWhoseCaHasThePinnedFingerprint() throws Exception {
    try (LoopbackTlsServer server = new LoopbackTlsServer(Tls.server(pki.server("vault.example.org"), pki.ca.certificate()), ClientAuth.WANT)) {
      // addressed by IP although the certificate names a DNS name: the pin is the trust
      assertThat(server.talk(Tls.pinned(pki.ca.fingerprint()), "127.0.0.1")).isEqualTo("hello (none)");
    }
  }

  @Test
  void pinnedRefusesAWrongFingerprint() throws Exception {
    try (LoopbackTlsServer server = new LoopbackTlsServer(Tls.server(pki.server("127.0.0.1"), pki.ca.certificate()), ClientAuth.WANT)) {
      assertThatThrownBy(() -> server.talk(Tls.pinned(otherPki.ca.fingerprint()), "127.0.0.1")).isInstanceOf(IOException.class)
          .hasMessageContaining("fingerprint " + pki.ca.fingerprint()).hasMessageContaining(otherPki.ca.fingerprint() + " was expected");
    }
  }

  @Test
  void pinnedRefusesALeafNotSignedByThePinnedCa() throws Exception {
    // a server sending the genuine CA certificate after a leaf of another CA
    TlsIdentity consistent = otherPki.server("127.0.0.1");
    TlsIdentity forged = new TlsIdentity(consistent.privateKey(), java.util.List.of(consistent.certificate(), pki.ca.certificate()));
    try (LoopbackTlsServer server = new LoopbackTlsServer(Tls.server(forged, pki.ca.certificate()), ClientAuth.WANT)) {
      assertThatThrownBy(() -> server.talk(Tls.pinned(pki.ca.fingerprint()), "127.0.0.1")).isInstanceOf(IOException.class).hasMessageContaining("PKIX");
    }
  }

  @Test
  void pinnedRefusesAServerThatDoesNotSendItsCa() throws Exception {
    TlsIdentity full = pki.server("127.0.0.1");
    TlsIdentity leafOnly = TlsIdentity.of(full.privateKey(), full.certificate());
    try (LoopbackTlsServer server = new LoopbackTlsServer(Tls.server(leafOnly, pki.ca.certificate()), ClientAuth.WANT)) {
      assertThatThrownBy(() -> server.talk(Tls.pinned(pki.ca.fingerprint()), "127.0.0.1")).isInstanceOf(IOException.class)
          .hasMessageContaining("sent no CA certificate");
    }
  }

  @Test
  void aMalformedPinIsRefusedUpFront() {
    assertThatThrownBy(() -> Tls.pinned("sha256:1234")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a SHA-256 certificate fingerprint");
  }
}
