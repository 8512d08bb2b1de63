package io.ferry.repository;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The repository's master key: a data key (AES-256-GCM of blobs) and an id key (HMAC-SHA256 of
 * chunk and page ids), and how it is wrapped by a key derived from a passphrase or read from a
 * key file (docs/formats.md §5).
 */
final class KeyRing {
  static final int MASTER_LENGTH = 64;
  static final int KEY_LENGTH = 32;
  static final int SALT_LENGTH = 16;
  static final int DEFAULT_ITERATIONS = 600_000;
  static final SecureRandom RANDOM = new SecureRandom();

  private final SecretKey dataKey;
  private final SecretKey idKey;

  private KeyRing(byte[] master) {
    this.dataKey = new SecretKeySpec(master, 0, KEY_LENGTH, "AES");
    this.idKey = new SecretKeySpec(master, KEY_LENGTH, KEY_LENGTH, "HmacSHA256");
  }

  static KeyRing generate() {
    byte[] master = new byte[MASTER_LENGTH];
    RANDOM.nextBytes(master);
    try {
      return new KeyRing(master);
    } finally {
      Arrays.fill(master, (byte) 0);
    }
  }

  SecretKey dataKey() {
    return dataKey;
  }

  SecretKey idKey() {
    return idKey;
  }

  static byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    RANDOM.nextBytes(b);
    return b;
  }

  /** The key-encryption key for {@code source}; {@code salt}/{@code iterations} only used for a passphrase. */
  static SecretKey wrappingKey(KeySource source, byte[] salt, int iterations, String repoName) throws IOException {
    return switch (source) {
      case KeySource.Passphrase p -> {
        if (p.value() == null || p.value().length == 0)
          throw new WrongKeyException("empty passphrase for repository " + repoName, "give the passphrase the repository was created with");
        try {
          PBEKeySpec spec = new PBEKeySpec(p.value(), salt, iterations, 8 * KEY_LENGTH);
          byte[] k = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
          spec.clearPassword();
          yield new SecretKeySpec(k, "AES");
        } catch (GeneralSecurityException e) {
          throw new IllegalStateException("PBKDF2WithHmacSHA256 unavailable in this JDK", e);
        }
      }
      case KeySource.KeyFile f -> {
        byte[] k;
        try {
          k = Files.readAllBytes(f.file());
        } catch (IOException e) {
          throw new RepositoryException("cannot read key file " + f.file() + " for repository " + repoName + ": " + e, "check that the key file exists and is readable by this user", e);
        }
        if (k.length != KEY_LENGTH)
          throw new WrongKeyException("key file " + f.file() + " for repository " + repoName + " holds " + k.length + " bytes, not " + KEY_LENGTH,
              "a key file is exactly 32 random bytes, e.g. `head -c 32 /dev/urandom > key`");
        yield new SecretKeySpec(k, "AES");
      }
      case KeySource.None n -> throw new IllegalArgumentException("no key source");
    };
  }

  /** nonce ‖ AES-GCM(kek, master key, aad) ‖ tag. */
  byte[] wrap(SecretKey kek, byte[] aad) {
    byte[] master = new byte[MASTER_LENGTH];
    System.arraycopy(dataKey.getEncoded(), 0, master, 0, KEY_LENGTH);
    System.arraycopy(idKey.getEncoded(), 0, master, KEY_LENGTH, KEY_LENGTH);
    try {
      byte[] nonce = randomBytes(BlobFrame.NONCE_LENGTH);
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.ENCRYPT_MODE, kek, new GCMParameterSpec(8 * BlobFrame.TAG_LENGTH, nonce));
      c.updateAAD(aad);
      byte[] ct = c.doFinal(master);
      byte[] out = new byte[nonce.length + ct.length];
      System.arraycopy(nonce, 0, out, 0, nonce.length);
      System.arraycopy(ct, 0, out, nonce.length, ct.length);
      return out;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM unavailable", e);
    } finally {
      Arrays.fill(master, (byte) 0);
    }
  }

  /** Unwraps; {@code null} if the key is wrong (GCM tag mismatch). */
  static KeyRing unwrap(SecretKey kek, byte[] wrapped, byte[] aad) {
    if (wrapped.length != BlobFrame.NONCE_LENGTH + MASTER_LENGTH + BlobFrame.TAG_LENGTH) return null;
    try {
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.DECRYPT_MODE, kek, new GCMParameterSpec(8 * BlobFrame.TAG_LENGTH, wrapped, 0, BlobFrame.NONCE_LENGTH));
      c.updateAAD(aad);
      byte[] master = c.doFinal(wrapped, BlobFrame.NONCE_LENGTH, wrapped.length - BlobFrame.NONCE_LENGTH);
      try {
        return new KeyRing(master);
      } finally {
        Arrays.fill(master, (byte) 0);
      }
    } catch (AEADBadTagException e) {
      return null;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM unavailable", e);
    }
  }

  static byte[] wrapAad(String repoId, int chunkSize, int fanout) {
    return ("ferry-repository-key:1:" + repoId + ":" + chunkSize + ":" + fanout).getBytes(StandardCharsets.UTF_8);
  }
}
