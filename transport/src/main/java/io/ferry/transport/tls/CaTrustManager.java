package io.ferry.transport.tls;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Trusts certificates that chain to one CA (PKIX, no revocation). As a client it always checks the
 * server's name against the certificate's SANs: the JDK does it when the connection asks for
 * endpoint identification (java.net.http.HttpClient, Jetty's client), and this class does it when
 * the connection does not (a plain {@code SSLSocket}), so a context from {@link Tls#client} never
 * skips it.
 */
final class CaTrustManager extends VerifyingTrustManager {
  private final X509ExtendedTrustManager pkix;

  CaTrustManager(X509ExtendedTrustManager pkix) {
    this.pkix = pkix;
  }

  @Override
  void checkServer(X509Certificate[] chain, String authType, SSLSession session, String identificationAlgorithm, Socket socket, SSLEngine engine)
      throws CertificateException {
    if (socket != null) pkix.checkServerTrusted(chain, authType, socket);
    else if (engine != null) pkix.checkServerTrusted(chain, authType, engine);
    else pkix.checkServerTrusted(chain, authType);
    boolean checkedByJdk = identificationAlgorithm != null && !identificationAlgorithm.isEmpty();
    if (!checkedByJdk && (socket != null || engine != null)) ServerNameCheck.check(chain[0], session == null ? null : session.getPeerHost());
  }

  @Override
  void checkClient(X509Certificate[] chain, String authType, Socket socket, SSLEngine engine) throws CertificateException {
    if (socket != null) pkix.checkClientTrusted(chain, authType, socket);
    else if (engine != null) pkix.checkClientTrusted(chain, authType, engine);
    else pkix.checkClientTrusted(chain, authType);
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return pkix.getAcceptedIssuers();
  }
}
