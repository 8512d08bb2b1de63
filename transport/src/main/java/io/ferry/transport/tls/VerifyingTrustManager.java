package io.ferry.transport.tls;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Base of Ferry's trust managers: a PKIX delegate does chain validation; subclasses add their own
 * check of the server leaf. Being an {@link X509ExtendedTrustManager}, it keeps the JDK from adding
 * endpoint identification on its own: each subclass decides what the server's name must be.
 */
abstract class VerifyingTrustManager extends X509ExtendedTrustManager {
  /**
   * Validates a server chain; {@code session} is the handshake session (null when called without
   * a connection), {@code identificationAlgorithm} the connection's endpoint identification
   * setting ("HTTPS", "LDAPS" or null).
   */
  abstract void checkServer(X509Certificate[] chain, String authType, SSLSession session, String identificationAlgorithm, Socket socket, SSLEngine engine)
      throws CertificateException;

  /** Validates a client chain (servers only). */
  abstract void checkClient(X509Certificate[] chain, String authType, Socket socket, SSLEngine engine) throws CertificateException;

  @Override
  public final void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    checkServer(chain, authType, null, null, null, null);
  }

  @Override
  public final void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
    SSLSocket s = socket instanceof SSLSocket ssl ? ssl : null;
    checkServer(chain, authType, s == null ? null : s.getHandshakeSession(), s == null ? null : s.getSSLParameters().getEndpointIdentificationAlgorithm(), socket, null);
  }

  @Override
  public final void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
    checkServer(chain, authType, engine == null ? null : engine.getHandshakeSession(), engine == null ? null : engine.getSSLParameters().getEndpointIdentificationAlgorithm(), null,
        engine);
  }

  @Override
  public final void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    checkClient(chain, authType, null, null);
  }

  @Override
  public final void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
    checkClient(chain, authType, socket, null);
  }

  @Override
  public final void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
    checkClient(chain, authType, null, engine);
  }

  static String leafName(X509Certificate[] chain) {
    return chain == null || chain.length == 0 ? "(no certificate)" : Certificates.commonName(chain[0]).orElse(chain[0].getSubjectX500Principal().getName());
  }
}
