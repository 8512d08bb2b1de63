package io.ferry.repository;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import javax.crypto.Mac;
import javax.crypto.SecretKey;

/**
 * Computes content ids: SHA-256, or HMAC-SHA256 with the id key in an encrypted repository. One
 * digest per thread, so it is thread-safe without locks. All-zero content is {@link ChunkId#ZERO},
 * detected by a vectorised compare before any hashing.
 */
final class ContentHasher {
  private final SecretKey idKey; // null: plain SHA-256
  private final ByteBuffer zeros;
  private final ThreadLocal<MessageDigest> sha = ThreadLocal.withInitial(ContentHasher::newSha);
  private final ThreadLocal<Mac> hmac;

  ContentHasher(SecretKey idKey, int maxLength) {
    this.idKey = idKey;
    this.zeros = ByteBuffer.wrap(new byte[maxLength]).asReadOnlyBuffer();
    this.hmac = ThreadLocal.withInitial(this::newMac);
  }

  static boolean isAllZero(ByteBuffer content, ByteBuffer zeros) {
    int len = content.remaining();
    return content.mismatch(zeros.slice(0, len)) < 0;
  }

  /** The id of {@code content} (position..limit, not consumed); ZERO for all-zero content. */
  ChunkId chunkId(ByteBuffer content) {
    if (content.remaining() <= zeros.capacity() && isAllZero(content, zeros)) return ChunkId.ZERO;
    return hash(content);
  }

  /** The id of {@code content} without the zero test (index pages are never all zero when hashed). */
  ChunkId hash(ByteBuffer content) {
    ByteBuffer b = content.duplicate();
    if (idKey == null) {
      MessageDigest md = sha.get();
      md.update(b);
      return new ChunkId(md.digest());
    }
    Mac mac = hmac.get();
    mac.update(b);
    return new ChunkId(mac.doFinal());
  }

  ChunkId hash(byte[] content) {
    return hash(ByteBuffer.wrap(content));
  }

  boolean keyed() {
    return idKey != null;
  }

  private static MessageDigest newSha() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 unavailable", e);
    }
  }

  private Mac newMac() {
    try {
      Mac m = Mac.getInstance("HmacSHA256");
      m.init(idKey);
      return m;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }
}
