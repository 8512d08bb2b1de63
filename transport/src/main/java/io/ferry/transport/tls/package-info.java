/**
 * Ferry's certificate authority and mutual TLS.
 *
 * <p>Public API:
 * <ul>
 *   <li>{@link io.ferry.transport.tls.CertificateAuthority} - the vault's CA ({@code ca.key},
 *       {@code ca.pem}): signs agent certificate requests and issues the vault's server
 *       certificate.</li>
 *   <li>{@link io.ferry.transport.tls.CertificateRequest} - an agent's new key and PKCS#10
 *       request; joins the issued certificate to the key.</li>
 *   <li>{@link io.ferry.transport.tls.TlsIdentity} - a key and its chain, saved as {@code
 *       <name>.key} (0600) and {@code <name>.pem}.</li>
 *   <li>{@link io.ferry.transport.tls.Tls} - the SSLContexts: {@code server}, {@code client}
 *       (host name always checked), {@code clientForPeer} (CN = agent id, no host name), {@code
 *       pinned} (CA fingerprint, for registration); {@code peerCommonName}.</li>
 *   <li>{@link io.ferry.transport.tls.Pem}, {@link io.ferry.transport.tls.Certificates}
 *       (common name, fingerprint), {@link io.ferry.transport.tls.TlsException}.</li>
 * </ul>
 *
 * <p>Package-private helpers: {@code KeyPairs} (EC P-256 generation, key/certificate match),
 * {@code CertificateIssuer} (X.509 building), {@code PemFiles} (atomic writes, 0600 keys), the
 * trust managers {@code CaTrustManager}, {@code PeerTrustManager}, {@code PinnedCaTrustManager}
 * (all {@code X509ExtendedTrustManager}s on {@code VerifyingTrustManager}, so the JDK adds no
 * endpoint identification of its own) and {@code ServerNameCheck} (SAN matching).
 *
 * <p>Keys are EC P-256: small certificates and fast handshakes, supported by every TLS 1.3 peer.
 * No revocation yet: certificates are short-lived and the vault refuses unknown agents by id.
 *
 * <p>May depend on: the JDK and BouncyCastle ({@code bcpkix}) only. Bouncy Castle is used for
 * X.509/PKCS#10 building and PEM parsing; it is never registered as a JCA provider (all crypto is
 * the JDK's).
 */
package io.ferry.transport.tls;
