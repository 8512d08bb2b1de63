package io.ferry.transport.tls;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.PKCSException;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;

/**
 * The vault's certificate authority: an EC P-256 key and a self-signed certificate valid for ten
 * years, kept as {@code ca.key} (PKCS#8 PEM, mode 0600) and {@code ca.pem} in one directory. It
 * signs agent certificates (from their requests) and the vault's own server certificate.
 */
public final class CertificateAuthority {
  public static final String KEY_FILE = "ca.key";
  public static final String CERT_FILE = "ca.pem";
  public static final Duration CA_VALIDITY = Duration.ofDays(3653);
  /** What an agent id may look like: it becomes a certificate's CN (at most 64 characters). */
  public static final Pattern AGENT_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:@-]{0,63}");
  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
  private static final Pattern DNS_NAME = Pattern.compile("(\\*\\.)?[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}))*\\.?");

  private final Path dir;
  private final PrivateKey key;
  private final X509Certificate certificate;
  private final String pem;

  private CertificateAuthority(Path dir, PrivateKey key, X509Certificate certificate) {
    this.dir = dir;
    this.key = key;
    this.certificate = certificate;
    this.pem = Pem.certificate(certificate);
  }

  /**
   * Loads the CA from {@code dir}, or creates it there (with subject CN={@code commonName}) if
   * neither file exists. Refuses a directory with only one of the two files, or whose key does not
   * belong to the certificate.
   */
  public static CertificateAuthority createOrLoad(Path dir, String commonName) throws TlsException {
    Path keyFile = dir.resolve(KEY_FILE);
    Path certFile = dir.resolve(CERT_FILE);
    boolean hasKey = Files.exists(keyFile);
    boolean hasCert = Files.exists(certFile);
    if (hasKey && hasCert) return load(dir, keyFile, certFile);
    if (hasKey || hasCert)
      throw new TlsException("the certificate authority in " + dir + " is incomplete: " + (hasKey ? KEY_FILE + " exists but " + CERT_FILE : CERT_FILE + " exists but " + KEY_FILE)
          + " is missing", "restore the missing file from a backup; only if no agent was ever registered, remove the directory to create a new CA");
    if (commonName == null || commonName.isBlank()) throw new IllegalArgumentException("the CA needs a common name");
    KeyPair keys = KeyPairs.generate();
    X509Certificate cert = CertificateIssuer.selfSignedCa(commonName, keys.getPublic(), keys.getPrivate(), CA_VALIDITY);
    PemFiles.ensureDirectory(dir);
    PemFiles.writePrivate(keyFile, Pem.privateKey(keys.getPrivate()));
    PemFiles.writePublic(certFile, Pem.certificate(cert));
    return new CertificateAuthority(dir, keys.getPrivate(), cert);
  }

  private static CertificateAuthority load(Path dir, Path keyFile, Path certFile) throws TlsException {
    PrivateKey key = Pem.readPrivateKey(PemFiles.read(keyFile), keyFile.toString());
    X509Certificate cert = Pem.readCertificate(PemFiles.read(certFile), certFile.toString());
    if (!KeyPairs.matches(key, cert.getPublicKey()))
      throw new TlsException("the certificate authority in " + dir + " is inconsistent: " + KEY_FILE + " does not belong to " + CERT_FILE,
          "restore both files from the same backup");
    if (cert.getBasicConstraints() < 0)
      throw new TlsException(certFile + " is not a CA certificate (no basicConstraints CA:true)", "restore the vault's CA certificate from a backup");
    return new CertificateAuthority(dir, key, cert);
  }

  public X509Certificate certificate() {
    return certificate;
  }

  public String certificatePem() {
    return pem;
  }

  /** {@code sha256:} + lowercase hex of SHA-256 of the DER certificate: what an agent pins at registration. */
  public String fingerprint() {
    return Certificates.fingerprint(certificate);
  }

  public Path directory() {
    return dir;
  }

  /**
   * Issues an agent certificate for the key in {@code csrPem}: subject CN={@code agentId} (the
   * request's own subject is ignored: the vault decides who the agent is), extended key usage
   * clientAuth and serverAuth (agents also serve a data port), a random serial, valid for {@code
   * validity} but never past the CA's own end. Refuses a request whose signature does not verify
   * with its own key (tampered or damaged) and keys weaker than P-256 / RSA-2048.
   */
  public X509Certificate signAgent(String csrPem, String agentId, Duration validity) throws TlsException {
    if (agentId == null || !AGENT_ID.matcher(agentId).matches())
      throw new IllegalArgumentException("invalid agent id '" + agentId + "' (1-64 of letters, digits, '.', '_', ':', '@', '-', starting with a letter or digit)");
    checkValidity(validity);
    String what = "the certificate request of agent '" + agentId + "'";
    PKCS10CertificationRequest csr = Pem.readCertificateRequest(csrPem, what);
    boolean valid;
    try {
      valid = csr.isSignatureValid(new JcaContentVerifierProviderBuilder().build(csr.getSubjectPublicKeyInfo()));
    } catch (OperatorCreationException | PKCSException | RuntimeException e) {
      throw new TlsException(what + " cannot be verified: " + e.getMessage(), "generate a new request on the agent (ferry agent register) and send it unchanged", e);
    }
    if (!valid)
      throw new TlsException(what + " is not validly signed by its own key: it was altered or damaged on the way; no certificate was issued",
          "generate a new request on the agent (ferry agent register) and send it unchanged");
    PublicKey pub;
    try {
      pub = new JcaPKCS10CertificationRequest(csr).getPublicKey();
    } catch (java.security.GeneralSecurityException e) {
      throw new TlsException(what + " holds a public key this JDK cannot read: " + e.getMessage(), "generate the request with an EC P-256 or RSA key", e);
    }
    String weak = KeyPairs.unacceptable(pub);
    if (weak != null) throw new TlsException(what + " holds " + weak + "; no certificate was issued", "generate the request with an EC P-256 or RSA ≥ 2048 key");
    return CertificateIssuer.leaf(certificate, key, agentId, pub, validity, List.of(KeyPurposeId.id_kp_clientAuth, KeyPurposeId.id_kp_serverAuth), List.of());
  }

  /**
   * A new key and a server certificate (chain {@code [server, ca]}) with subject CN={@code
   * commonName} and one subject alternative name per entry of {@code dnsNamesOrIps}: IP literals
   * become IP SANs, everything else DNS SANs.
   */
  public TlsIdentity issueServer(String commonName, List<String> dnsNamesOrIps, Duration validity) {
    if (commonName == null || commonName.isBlank() || commonName.length() > 64)
      throw new IllegalArgumentException("invalid server common name '" + commonName + "' (1-64 characters)");
    checkValidity(validity);
    List<GeneralName> sans = new ArrayList<>();
    for (String n : dnsNamesOrIps) sans.add(altName(n));
    KeyPair keys = KeyPairs.generate();
    X509Certificate cert = CertificateIssuer.leaf(certificate, key, commonName, keys.getPublic(), validity, List.of(KeyPurposeId.id_kp_serverAuth), sans);
    return TlsIdentity.of(keys.getPrivate(), cert, certificate);
  }

  private static GeneralName altName(String n) {
    String s = n == null ? "" : n.trim();
    if (s.startsWith("[") && s.endsWith("]")) s = s.substring(1, s.length() - 1);
    if (IPV4.matcher(s).matches() || s.contains(":")) {
      try {
        return new GeneralName(GeneralName.iPAddress, InetAddress.getByName(s).getHostAddress()); // a literal: no lookup
      } catch (UnknownHostException | IllegalArgumentException e) {
        throw new IllegalArgumentException("'" + n + "' is not a valid IP address for a server certificate", e);
      }
    }
    if (!DNS_NAME.matcher(s).matches() || s.length() > 253) throw new IllegalArgumentException("'" + n + "' is neither a DNS name nor an IP address");
    return new GeneralName(GeneralName.dNSName, s);
  }

  private static void checkValidity(Duration validity) {
    if (validity == null || validity.isNegative() || validity.isZero()) throw new IllegalArgumentException("certificate validity must be positive, got " + validity);
  }

  @Override
  public String toString() {
    return "CertificateAuthority[" + certificate.getSubjectX500Principal() + ", " + fingerprint() + ", " + dir + "]";
  }
}
