package io.ferry.repository;

import com.github.luben.zstd.ZstdDecompressCtx;
import com.github.luben.zstd.ZstdException;
import java.security.GeneralSecurityException;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;

/**
 * Reads blob frames (docs/formats.md §2), running every check in the documented order; any
 * failure is a {@link CorruptBlobException} naming the key and the check. One instance per thread.
 */
final class BlobFrameReader {
  static final String CORRUPT_HINT = "run `ferry repo verify` to see which points use it; deleting the damaged blob lets the next capture of the source write it again";

  private final String repository; // for messages
  private final SecretKey dataKey; // null = repository not encrypted
  private final ZstdDecompressCtx zstd = new ZstdDecompressCtx();
  private final Cipher cipher;

  BlobFrameReader(String repository, SecretKey dataKey) {
    this.repository = repository;
    this.dataKey = dataKey;
    try {
      this.cipher = dataKey == null ? null : Cipher.getInstance("AES/GCM/NoPadding");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES/GCM/NoPadding unavailable", e);
    }
  }

  /** The content of the frame {@code stored} read from {@code key}; {@code name} is the AAD name. */
  byte[] read(BlobType expected, byte[] name, String key, byte[] stored, int maxPlainLength) throws CorruptBlobException {
    if (stored.length < BlobFrame.HEADER_LENGTH) throw corrupt(key, "only " + stored.length + " bytes, shorter than the 20-byte frame header");
    if (BlobFrame.getInt(stored, 0) != BlobFrame.MAGIC) throw corrupt(key, "bad magic (not a Ferry blob frame)");
    int version = stored[4] & 0xff;
    if (version != BlobFrame.VERSION)
      throw new CorruptBlobException(repository, key, "unsupported frame format version " + version + " (this Ferry reads version " + BlobFrame.VERSION + ")",
          version > BlobFrame.VERSION ? "upgrade Ferry to read this repository" : CORRUPT_HINT);
    BlobType type = BlobType.ofCode(stored[5] & 0xff);
    if (type != expected) throw corrupt(key, "blob type " + (type == null ? "code " + (stored[5] & 0xff) : type.label) + " where a " + expected.label + " was expected");
    int flags = stored[6] & 0xff;
    if ((flags & ~BlobFrame.KNOWN_FLAGS) != 0 || stored[7] != 0) throw corrupt(key, "unknown flags 0x" + Integer.toHexString(flags));
    int plainLength = BlobFrame.getInt(stored, 8);
    int payloadLength = BlobFrame.getInt(stored, 12);
    if (payloadLength != stored.length - BlobFrame.HEADER_LENGTH)
      throw corrupt(key, "payload length " + Integer.toUnsignedString(payloadLength) + " in header but " + (stored.length - BlobFrame.HEADER_LENGTH) + " bytes stored (truncated or extended)");
    if (plainLength < 0 || plainLength > maxPlainLength)
      throw corrupt(key, "plain length " + Integer.toUnsignedString(plainLength) + " exceeds the limit " + maxPlainLength + " for a " + expected.label);
    int crc = BlobFrame.crc32c(stored, BlobFrame.HEADER_LENGTH, payloadLength);
    if (crc != BlobFrame.getInt(stored, 16)) throw corrupt(key, "CRC32C mismatch: stored bytes are damaged");
    boolean encrypted = (flags & BlobFrame.FLAG_ENCRYPTED) != 0;
    if (encrypted != (dataKey != null))
      throw corrupt(key, encrypted ? "blob is encrypted but the repository is not" : "blob is not encrypted in an encrypted repository");
    byte[] body = stored;
    int bodyAt = BlobFrame.HEADER_LENGTH;
    int bodyLength = payloadLength;
    if (encrypted) {
      body = decrypt(key, name, stored, payloadLength);
      bodyAt = 0;
      bodyLength = body.length;
    }
    if ((flags & BlobFrame.FLAG_COMPRESSED) != 0) {
      byte[] plain = new byte[plainLength];
      int n;
      try {
        n = zstd.decompressByteArray(plain, 0, plainLength, body, bodyAt, bodyLength);
      } catch (ZstdException e) {
        throw corrupt(key, "zstd decompression failed: " + e.getMessage());
      }
      if (n != plainLength) throw corrupt(key, "decompressed to " + n + " bytes, header says " + plainLength);
      return plain;
    }
    if (bodyLength != plainLength) throw corrupt(key, "stored raw body of " + bodyLength + " bytes, header says " + plainLength);
    if (bodyAt == 0 && body.length == plainLength) return body;
    byte[] plain = new byte[plainLength];
    System.arraycopy(body, bodyAt, plain, 0, plainLength);
    return plain;
  }

  private byte[] decrypt(String key, byte[] name, byte[] stored, int payloadLength) throws CorruptBlobException {
    if (payloadLength < BlobFrame.NONCE_LENGTH + BlobFrame.TAG_LENGTH) throw corrupt(key, "encrypted payload shorter than nonce + tag");
    try {
      cipher.init(Cipher.DECRYPT_MODE, dataKey, new GCMParameterSpec(8 * BlobFrame.TAG_LENGTH, stored, BlobFrame.HEADER_LENGTH, BlobFrame.NONCE_LENGTH));
      cipher.updateAAD(stored, 0, BlobFrame.AAD_HEADER_LENGTH);
      cipher.updateAAD(name);
      int at = BlobFrame.HEADER_LENGTH + BlobFrame.NONCE_LENGTH;
      return cipher.doFinal(stored, at, stored.length - at);
    } catch (AEADBadTagException e) {
      throw corrupt(key, "authentication failed (AES-GCM tag): the blob is damaged, was altered, or is stored under another blob's name");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM decryption failed", e);
    }
  }

  private CorruptBlobException corrupt(String key, String reason) {
    return new CorruptBlobException(repository, key, reason, CORRUPT_HINT);
  }
}
