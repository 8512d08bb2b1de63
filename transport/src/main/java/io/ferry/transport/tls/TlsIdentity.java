package io.ferry.transport.tls;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Who this process is on a TLS connection: a private key and its certificate chain, leaf first,
 * ending with the issuing CA (servers send the whole chain, which lets a not-yet-registered agent
 * check the CA's fingerprint, see {@link Tls#pinned}).
 *
 * <p>On disk: {@code <name>.key} (PKCS#8 PEM, mode 0600) and {@code <name>.pem} (the chain, PEM,
 * leaf first).
 */
public record TlsIdentity(PrivateKey privateKey, List<X509Certificate> chain) {
  public TlsIdentity {
    Objects.requireNonNull(privateKey, "privateKey");
    chain = List.copyOf(chain);
    if (chain.isEmpty()) throw new IllegalArgumentException("a TLS identity needs at least its own certificate");
  }

  public static TlsIdentity of(PrivateKey privateKey, X509Certificate... chain) {
    return new TlsIdentity(privateKey, List.of(chain));
  }

  /** The leaf: this identity's own certificate. */
  public X509Certificate certificate() {
    return chain.get(0);
  }

  public String commonName() {
    return Certificates.commonName(certificate()).orElse("");
  }

  public Instant notAfter() {
    return certificate().getNotAfter().toInstant();
  }

  /** Writes {@code <name>.key} (0600) then {@code <name>.pem} into {@code dir} (created 0700 if missing), each atomically. */
  public void save(Path dir, String name) throws TlsException {
    checkName(name);
    PemFiles.ensureDirectory(dir);
    PemFiles.writePrivate(dir.resolve(name + ".key"), Pem.privateKey(privateKey));
    PemFiles.writePublic(dir.resolve(name + ".pem"), Pem.certificates(chain));
  }

  /** Reads {@code <name>.key} and {@code <name>.pem}; refuses a key that does not belong to the certificate. */
  public static TlsIdentity load(Path dir, String name) throws TlsException {
    checkName(name);
    Path keyFile = dir.resolve(name + ".key");
    Path certFile = dir.resolve(name + ".pem");
    PrivateKey key = Pem.readPrivateKey(PemFiles.read(keyFile), keyFile.toString());
    List<X509Certificate> chain = Pem.readCertificates(PemFiles.read(certFile), certFile.toString());
    if (!KeyPairs.matches(key, chain.get(0).getPublicKey()))
      throw new TlsException("the key in " + keyFile + " does not belong to the certificate in " + certFile + " (" + chain.get(0).getSubjectX500Principal() + ")",
          "restore the matching pair of files, or register again to get a new identity");
    return new TlsIdentity(key, chain);
  }

  /** True if both files of identity {@code name} exist in {@code dir}. */
  public static boolean exists(Path dir, String name) {
    checkName(name);
    return Files.isRegularFile(dir.resolve(name + ".key")) && Files.isRegularFile(dir.resolve(name + ".pem"));
  }

  private static void checkName(String name) {
    if (name == null || !name.matches("[A-Za-z0-9][A-Za-z0-9._-]*"))
      throw new IllegalArgumentException("invalid identity file name '" + name + "' (letters, digits, '.', '_', '-'; no path)");
  }

  @Override
  public String toString() {
    return "TlsIdentity[" + commonName() + ", until " + notAfter() + ", " + chain.size() + " certificate(s)]";
  }
}
