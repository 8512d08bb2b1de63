package io.ferry.transport.tls;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;

/** What Ferry reads from a certificate: its common name and its fingerprint. */
public final class Certificates {
  private static final String SHA256 = "sha256:";

  private Certificates() {}

  /** The subject's CN (the first one, if several), or empty. */
  public static Optional<String> commonName(X509Certificate cert) {
    RDN[] cns = X500Name.getInstance(cert.getSubjectX500Principal().getEncoded()).getRDNs(BCStyle.CN);
    if (cns.length == 0 || cns[0].getFirst() == null) return Optional.empty();
    return Optional.of(IETFUtils.valueToString(cns[0].getFirst().getValue()));
  }

  /** {@code "sha256:"} + lowercase hex of SHA-256 over the DER certificate. */
  public static String fingerprint(X509Certificate cert) {
    try {
      return SHA256 + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(cert.getEncoded()));
    } catch (CertificateEncodingException | NoSuchAlgorithmException e) {
      throw new IllegalStateException("cannot fingerprint certificate " + cert.getSubjectX500Principal(), e);
    }
  }

  /**
   * A fingerprint as given by an operator, normalised to {@code sha256:<64 lowercase hex>}: the
   * prefix is optional, colons and case are ignored ({@code openssl x509 -fingerprint -sha256}
   * prints {@code AB:CD:…}).
   */
  public static String normalizeFingerprint(String given) {
    if (given == null) throw new IllegalArgumentException("no CA fingerprint given (expected sha256:<64 hex digits>)");
    String s = given.trim().toLowerCase(Locale.ROOT);
    if (s.startsWith(SHA256)) s = s.substring(SHA256.length());
    else if (s.startsWith("sha256 fingerprint=")) s = s.substring("sha256 fingerprint=".length());
    s = s.replace(":", "");
    if (!s.matches("[0-9a-f]{64}"))
      throw new IllegalArgumentException("'" + given + "' is not a SHA-256 certificate fingerprint (expected sha256:<64 hex digits>, as printed by `ferry` or the vault)");
    return SHA256 + s;
  }
}
