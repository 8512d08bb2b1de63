package io.ferry.transport.tls;

import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;

/**
 * Trusts a server whose chain ends with the CA certificate of a given fingerprint and whose leaf
 * validates against that CA (PKIX with it as the only anchor). The pin is the trust: the host name
 * is not checked. Used once per agent, for registration, before it has a certificate of its own.
 */
final class PinnedCaTrustManager extends VerifyingTrustManager {
  private final String fingerprint;

  PinnedCaTrustManager(String fingerprint) {
    this.fingerprint = Certificates.normalizeFingerprint(fingerprint);
  }

  @Override
  void checkServer(X509Certificate[] chain, String authType, SSLSession session, String identificationAlgorithm, Socket socket, SSLEngine engine)
      throws CertificateException {
    String where = session == null ? "the server" : "server " + session.getPeerHost() + ":" + session.getPeerPort();
    if (chain == null || chain.length < 2)
      throw new CertificateException(where + " sent no CA certificate after its own (" + leafName(chain) + "), so the CA fingerprint cannot be checked; "
          + "configure the server to send its full chain (leaf, CA)");
    X509Certificate ca = chain[chain.length - 1];
    String actual = Certificates.fingerprint(ca);
    if (!MessageDigest.isEqual(actual.getBytes(StandardCharsets.US_ASCII), fingerprint.getBytes(StandardCharsets.US_ASCII)))
      throw new CertificateException(where + " presents CA " + ca.getSubjectX500Principal() + " with fingerprint " + actual + ", but " + fingerprint
          + " was expected; check the vault address and the fingerprint printed with the registration key");
    Tls.pkix(ca).checkServerTrusted(chain, authType);
  }

  @Override
  void checkClient(X509Certificate[] chain, String authType, Socket socket, SSLEngine engine) throws CertificateException {
    throw new CertificateException("a pinned registration context does not accept clients");
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return new X509Certificate[0];
  }
}
