package io.ferry.vault.store;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * Password hashes kept in {@code users.password_hash}: PBKDF2-HMAC-SHA256 with a random 16-byte
 * salt per hash and {@value #ITERATIONS} iterations (OWASP 2023 minimum: 210,000), encoded as
 * {@code pbkdf2-sha256$<iterations>$<salt base64>$<hash base64>} so the cost can be raised later
 * without invalidating older hashes.
 */
public final class Passwords {
  public static final int ITERATIONS = 210_000;
  private static final String SCHEME = "pbkdf2-sha256";
  private static final int SALT_BYTES = 16;
  private static final int HASH_BITS = 256;
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Base64.Encoder ENCODER = Base64.getEncoder().withoutPadding();
  private static final Base64.Decoder DECODER = Base64.getDecoder();

  private Passwords() {}

  /** A new hash of the password with a fresh salt. The caller may clear {@code password} afterwards. */
  public static String hash(char[] password) {
    byte[] salt = new byte[SALT_BYTES];
    RANDOM.nextBytes(salt);
    byte[] hash = pbkdf2(password, salt, ITERATIONS, HASH_BITS);
    return SCHEME + "$" + ITERATIONS + "$" + ENCODER.encodeToString(salt) + "$" + ENCODER.encodeToString(hash);
  }

  /** True if the password matches the encoded hash; false for a wrong password or a malformed hash. */
  public static boolean verify(char[] password, String encoded) {
    if (encoded == null) {
      return false;
    }
    String[] parts = encoded.split("\\$");
    if (parts.length != 4 || !parts[0].equals(SCHEME)) {
      return false;
    }
    try {
      int iterations = Integer.parseInt(parts[1]);
      byte[] salt = DECODER.decode(parts[2]);
      byte[] expected = DECODER.decode(parts[3]);
      if (iterations < 1 || salt.length == 0 || expected.length == 0) {
        return false;
      }
      return MessageDigest.isEqual(expected, pbkdf2(password, salt, iterations, expected.length * 8));
    } catch (IllegalArgumentException malformed) {
      return false;
    }
  }

  /** True if the hash was made with fewer iterations than today's (rehash at the next login). */
  public static boolean needsRehash(String encoded) {
    String[] parts = encoded == null ? new String[0] : encoded.split("\\$");
    try {
      return parts.length != 4 || !parts[0].equals(SCHEME) || Integer.parseInt(parts[1]) < ITERATIONS;
    } catch (NumberFormatException malformed) {
      return true;
    }
  }

  private static byte[] pbkdf2(char[] password, byte[] salt, int iterations, int bits) {
    PBEKeySpec spec = new PBEKeySpec(password, salt, iterations, bits);
    try {
      return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("PBKDF2WithHmacSHA256 is not available in this JDK", e);
    } finally {
      spec.clearPassword();
    }
  }
}
