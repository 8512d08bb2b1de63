package io.ferry.transport.tls;

import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/**
 * A new key pair and the PKCS#10 request an agent sends to the vault at registration. The private
 * key never leaves this object's process; the vault answers with a certificate, which {@link
 * #identity} joins to the key.
 */
public final class CertificateRequest {
  private final KeyPair keys;
  private final String csrPem;

  private CertificateRequest(KeyPair keys, String csrPem) {
    this.keys = keys;
    this.csrPem = csrPem;
  }

  /** A fresh EC P-256 key and a request signed by it, with subject CN={@code commonName}. */
  public static CertificateRequest generate(String commonName) {
    KeyPair keys = KeyPairs.generate();
    try {
      PKCS10CertificationRequest csr = new JcaPKCS10CertificationRequestBuilder(CertificateIssuer.name(commonName), keys.getPublic())
          .build(new JcaContentSignerBuilder(KeyPairs.SIGNATURE).build(keys.getPrivate()));
      return new CertificateRequest(keys, Pem.certificateRequest(csr));
    } catch (OperatorCreationException e) {
      throw new IllegalStateException("cannot sign a certificate request for " + commonName, e);
    }
  }

  public PrivateKey privateKey() {
    return keys.getPrivate();
  }

  public PublicKey publicKey() {
    return keys.getPublic();
  }

  /** The request as PKCS#10 PEM ({@code -----BEGIN CERTIFICATE REQUEST-----}). */
  public String csrPem() {
    return csrPem;
  }

  /**
   * This request's key with the certificate the CA issued for it: chain {@code [issued, ca]}.
   * Refuses a certificate for another key, or one not signed by {@code ca}.
   */
  public TlsIdentity identity(X509Certificate issued, X509Certificate ca) throws TlsException {
    if (!Arrays.equals(issued.getPublicKey().getEncoded(), keys.getPublic().getEncoded()))
      throw new TlsException("the certificate " + issued.getSubjectX500Principal() + " was issued for another key than this request's",
          "the answer belongs to another registration; register again");
    try {
      issued.verify(ca.getPublicKey());
    } catch (java.security.GeneralSecurityException e) {
      throw new TlsException("the certificate " + issued.getSubjectX500Principal() + " is not signed by CA " + ca.getSubjectX500Principal() + ": " + e.getMessage(),
          "check that the vault's CA certificate was fetched from the same vault", e);
    }
    return TlsIdentity.of(keys.getPrivate(), issued, ca);
  }
}
