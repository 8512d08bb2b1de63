package io.ferry.transport.tls;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Objects;
import java.util.Optional;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The {@link SSLContext}s Ferry's processes use. Each context trusts exactly one CA (or one pinned
 * CA fingerprint), never the JDK's public roots. Contexts are TLS 1.3 contexts; servers choose
 * need/want client authentication on their own socket or engine ({@code SSLParameters}).
 */
public final class Tls {
  static final String PROTOCOL = "TLSv1.3";
  private static final char[] NO_PASSWORD = new char[0];

  private Tls() {}

  /**
   * For a TLS server presenting {@code identity}: clients that present a certificate must chain to
   * {@code trustedCa}. Whether a client certificate is needed, wanted or ignored is the server's
   * choice ({@code setNeedClientAuth}/{@code setWantClientAuth} on its socket, engine or
   * parameters).
   */
  public static SSLContext server(TlsIdentity identity, X509Certificate trustedCa) {
    Objects.requireNonNull(identity, "identity");
    return context(keyManagers(identity), new CaTrustManager(pkix(trustedCa)));
  }

  /**
   * For a client of a Ferry server (the vault): the server's chain must validate against {@code
   * trustedCa} and its certificate must name the host connected to (SANs); the name check is done
   * even if the connection does not ask for it. {@code identityOrNull} is presented when the server
   * asks for a client certificate.
   */
  public static SSLContext client(TlsIdentity identityOrNull, X509Certificate trustedCa) {
    return context(identityOrNull == null ? null : keyManagers(identityOrNull), new CaTrustManager(pkix(trustedCa)));
  }

  /**
   * For agent-to-agent data connections: the server's chain must validate against {@code
   * trustedCa} and its leaf CN must be {@code expectedPeerCommonName}; its host name is not
   * checked (agents are addressed by IP and identified by their agent id).
   */
  public static SSLContext clientForPeer(TlsIdentity identity, X509Certificate trustedCa, String expectedPeerCommonName) {
    Objects.requireNonNull(identity, "identity");
    if (expectedPeerCommonName == null || expectedPeerCommonName.isEmpty()) throw new IllegalArgumentException("the expected peer agent id is empty");
    return context(keyManagers(identity), new PeerTrustManager(pkix(trustedCa), expectedPeerCommonName));
  }

  /**
   * For an agent's one-time registration, before it has a certificate: trusts a server only if the
   * last certificate of the chain it sends (its CA) has fingerprint {@code caFingerprint} ({@code
   * sha256:<hex>}) and its leaf validates against that CA. The host name is not checked: the pin is
   * the trust.
   */
  public static SSLContext pinned(String caFingerprint) {
    return context(null, new PinnedCaTrustManager(caFingerprint));
  }

  /** The CN of the peer's verified leaf certificate; empty if the peer presented none. */
  public static Optional<String> peerCommonName(SSLSession session) {
    if (session == null) return Optional.empty();
    try {
      Certificate[] chain = session.getPeerCertificates();
      return chain.length > 0 && chain[0] instanceof X509Certificate leaf ? Certificates.commonName(leaf) : Optional.empty();
    } catch (SSLPeerUnverifiedException e) {
      return Optional.empty();
    }
  }

  /** The JDK's PKIX trust manager with {@code ca} as the only trust anchor (no revocation checking). */
  static X509ExtendedTrustManager pkix(X509Certificate ca) {
    Objects.requireNonNull(ca, "trusted CA certificate");
    try {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      ks.setCertificateEntry("ferry-ca", ca);
      TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
      tmf.init(ks);
      for (TrustManager tm : tmf.getTrustManagers()) if (tm instanceof X509ExtendedTrustManager x) return x;
      throw new IllegalStateException("the JDK's PKIX TrustManagerFactory returned no X509ExtendedTrustManager");
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot build a trust manager for CA " + ca.getSubjectX500Principal(), e);
    }
  }

  private static KeyManager[] keyManagers(TlsIdentity identity) {
    try {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      ks.setKeyEntry("ferry", identity.privateKey(), NO_PASSWORD, identity.chain().toArray(X509Certificate[]::new));
      KeyManagerFactory kmf = KeyManagerFactory.getInstance("PKIX");
      kmf.init(ks, NO_PASSWORD);
      return kmf.getKeyManagers();
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot build a key manager for " + identity, e);
    }
  }

  private static SSLContext context(KeyManager[] keys, TrustManager trust) {
    try {
      SSLContext ctx = SSLContext.getInstance(PROTOCOL);
      ctx.init(keys, new TrustManager[] {trust}, null);
      return ctx;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JDK has no " + PROTOCOL + " SSLContext", e);
    }
  }
}
