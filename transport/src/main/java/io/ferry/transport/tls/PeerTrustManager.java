package io.ferry.transport.tls;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Trusts one agent: the server's chain must validate against the CA (PKIX, through the delegate's
 * two-argument method, so no host name check) and its leaf CN must equal the expected agent id.
 * Agents are addressed by IP and identified by their id, not by a DNS name.
 */
final class PeerTrustManager extends VerifyingTrustManager {
  private final X509ExtendedTrustManager pkix;
  private final String expectedCommonName;

  PeerTrustManager(X509ExtendedTrustManager pkix, String expectedCommonName) {
    this.pkix = pkix;
    this.expectedCommonName = expectedCommonName;
  }

  @Override
  void checkServer(X509Certificate[] chain, String authType, SSLSession session, String identificationAlgorithm, Socket socket, SSLEngine engine)
      throws CertificateException {
    pkix.checkServerTrusted(chain, authType);
    String cn = Certificates.commonName(chain[0]).orElse(null);
    if (!expectedCommonName.equals(cn))
      throw new CertificateException("peer at " + (session == null ? "?" : session.getPeerHost() + ":" + session.getPeerPort()) + " is agent '" + cn + "', expected agent '"
          + expectedCommonName + "'; check the peer's address in the pairing (is another agent listening there?)");
  }

  @Override
  void checkClient(X509Certificate[] chain, String authType, Socket socket, SSLEngine engine) throws CertificateException {
    throw new CertificateException("a context for connecting to agent '" + expectedCommonName + "' does not accept clients; use Tls.server for a server");
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return pkix.getAcceptedIssuers();
  }
}
