package io.ferry.transport.tls;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.util.io.pem.PemObject;

/**
 * PEM text for certificates ({@code CERTIFICATE}), private keys (written as PKCS#8 {@code PRIVATE
 * KEY}; read also as OpenSSL's {@code EC PRIVATE KEY}/{@code RSA PRIVATE KEY}) and certificate
 * requests ({@code CERTIFICATE REQUEST}, PKCS#10). {@code what} names the text in error messages (a
 * file name, "the request of agent a1").
 */
public final class Pem {
  private Pem() {}

  public static String certificate(X509Certificate cert) {
    return write(cert);
  }

  /** The chain as consecutive PEM blocks, leaf first. */
  public static String certificates(List<X509Certificate> chain) {
    StringBuilder b = new StringBuilder();
    for (X509Certificate c : chain) b.append(write(c));
    return b.toString();
  }

  /** PKCS#8, unencrypted: protect the file, not the text (see {@link TlsIdentity#save}). */
  public static String privateKey(PrivateKey key) {
    if (!"PKCS#8".equals(key.getFormat())) throw new IllegalArgumentException("cannot encode a " + key.getAlgorithm() + " private key in format " + key.getFormat() + " as PKCS#8");
    return write(new PemObject("PRIVATE KEY", key.getEncoded()));
  }

  public static String certificateRequest(PKCS10CertificationRequest csr) {
    return write(csr);
  }

  /** The first certificate in {@code pem}. */
  public static X509Certificate readCertificate(String pem, String what) throws TlsException {
    return readCertificates(pem, what).get(0);
  }

  /** Every certificate in {@code pem}, in order; at least one. */
  public static List<X509Certificate> readCertificates(String pem, String what) throws TlsException {
    List<X509Certificate> out = new ArrayList<>();
    JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
    for (Object o : objects(pem, what)) {
      if (o instanceof X509CertificateHolder h) {
        try {
          out.add(converter.getCertificate(h));
        } catch (CertificateException e) {
          throw new TlsException("cannot decode a certificate in " + what + ": " + e.getMessage(), "replace " + what + " with an intact copy", e);
        }
      }
    }
    if (out.isEmpty()) throw new TlsException(what + " holds no PEM certificate (-----BEGIN CERTIFICATE-----)", "give a PEM certificate file");
    return out;
  }

  public static PrivateKey readPrivateKey(String pem, String what) throws TlsException {
    JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
    for (Object o : objects(pem, what)) {
      try {
        if (o instanceof PrivateKeyInfo info) return converter.getPrivateKey(info);
        if (o instanceof PEMKeyPair pair) return converter.getPrivateKey(pair.getPrivateKeyInfo());
      } catch (IOException e) {
        throw new TlsException("cannot decode the private key in " + what + ": " + e.getMessage(), "replace " + what + " with an intact copy", e);
      }
    }
    throw new TlsException(what + " holds no unencrypted PEM private key (-----BEGIN PRIVATE KEY-----)", "give an unencrypted PKCS#8 key file");
  }

  public static PKCS10CertificationRequest readCertificateRequest(String pem, String what) throws TlsException {
    for (Object o : objects(pem, what)) if (o instanceof PKCS10CertificationRequest csr) return csr;
    throw new TlsException(what + " holds no PEM certificate request (-----BEGIN CERTIFICATE REQUEST-----)", "send the request produced by the agent unchanged");
  }

  private static List<Object> objects(String pem, String what) throws TlsException {
    if (pem == null) throw new TlsException(what + " is missing", "give PEM text");
    List<Object> out = new ArrayList<>();
    try (PEMParser p = new PEMParser(new StringReader(pem))) {
      for (Object o = p.readObject(); o != null; o = p.readObject()) out.add(o);
    } catch (IOException | RuntimeException e) {
      throw new TlsException("cannot parse PEM text of " + what + ": " + e.getMessage(), "the text is damaged or not PEM; use the file as produced", e);
    }
    return out;
  }

  private static String write(Object o) {
    StringWriter s = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(s)) {
      w.writeObject(o);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // writing to a StringWriter does not fail
    }
    return s.toString();
  }
}
