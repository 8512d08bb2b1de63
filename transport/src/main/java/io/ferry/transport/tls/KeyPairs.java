package io.ferry.transport.tls;

import java.security.GeneralSecurityException;
import java.security.InvalidAlgorithmParameterException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.interfaces.ECKey;
import java.security.interfaces.RSAKey;
import java.security.spec.ECGenParameterSpec;

/**
 * Key pairs: Ferry generates EC P-256 keys (fast handshakes, small certificates, supported by every
 * TLS 1.3 peer); it accepts EC and RSA (≥ 2048 bits) keys from requests.
 */
final class KeyPairs {
  static final String SIGNATURE = "SHA256withECDSA";
  private static final SecureRandom RANDOM = new SecureRandom();

  private KeyPairs() {}

  static KeyPair generate() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
      return g.generateKeyPair();
    } catch (NoSuchAlgorithmException | InvalidAlgorithmParameterException e) {
      throw new IllegalStateException("this JDK cannot generate EC P-256 keys", e);
    }
  }

  /** The signature algorithm a certificate signed with {@code key} uses. */
  static String signatureAlgorithm(PrivateKey key) {
    return key instanceof RSAKey ? "SHA256withRSA" : SIGNATURE;
  }

  /** True if {@code priv} and {@code pub} are two halves of one key pair (sign, then verify). */
  static boolean matches(PrivateKey priv, PublicKey pub) {
    if (!priv.getAlgorithm().equals(pub.getAlgorithm())) return false;
    try {
      byte[] probe = new byte[32];
      RANDOM.nextBytes(probe);
      String alg = signatureAlgorithm(priv);
      Signature s = Signature.getInstance(alg);
      s.initSign(priv);
      s.update(probe);
      byte[] sig = s.sign();
      Signature v = Signature.getInstance(alg);
      v.initVerify(pub);
      v.update(probe);
      return v.verify(sig);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  /** Null if Ferry accepts {@code key} in a certificate, else why not. */
  static String unacceptable(PublicKey key) {
    if (key instanceof ECKey ec) {
      int bits = ec.getParams().getCurve().getField().getFieldSize();
      return bits >= 256 ? null : "an EC key of " + bits + " bits (at least P-256 is needed)";
    }
    if (key instanceof RSAKey rsa) {
      int bits = rsa.getModulus().bitLength();
      return bits >= 2048 ? null : "an RSA key of " + bits + " bits (at least 2048 are needed)";
    }
    return "a " + key.getAlgorithm() + " key (EC P-256 or RSA ≥ 2048 bits are accepted)";
  }
}
