package io.ferry.repository;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;

/**
 * Writes blob frames (docs/formats.md §2): compress (kept only if it shrinks), encrypt, header,
 * CRC32C. One instance per thread: it owns a zstd context, a cipher and scratch buffers, so the
 * hot path allocates only the final frame.
 */
final class BlobFrameWriter {
  private final int level; // 0 = no compression
  private final SecretKey dataKey; // null = no encryption
  private final ZstdCompressCtx zstd;
  private final Cipher cipher;
  private byte[] scratch = new byte[0];
  private ByteBuffer directIn;
  private ByteBuffer directOut;

  BlobFrameWriter(int level, SecretKey dataKey) {
    this.level = level;
    this.dataKey = dataKey;
    this.zstd = level == 0 ? null : new ZstdCompressCtx().setLevel(level).setChecksum(false).setContentSize(true);
    try {
      this.cipher = dataKey == null ? null : Cipher.getInstance("AES/GCM/NoPadding");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES/GCM/NoPadding unavailable", e);
    }
  }

  /** Frames {@code content} (position..limit, not consumed) as a blob of {@code type} named {@code name} (AAD). */
  byte[] write(BlobType type, byte[] name, ByteBuffer content) {
    ByteBuffer plain = content.duplicate();
    int plainLength = plain.remaining();
    ByteBuffer body = compress(plain, plainLength);
    boolean compressed = body != null;
    if (!compressed) body = plain;
    int bodyLength = body.remaining();
    int flags = (compressed ? BlobFrame.FLAG_COMPRESSED : 0) | (dataKey != null ? BlobFrame.FLAG_ENCRYPTED : 0);
    int payloadLength = dataKey == null ? bodyLength : BlobFrame.NONCE_LENGTH + bodyLength + BlobFrame.TAG_LENGTH;
    byte[] out = new byte[BlobFrame.HEADER_LENGTH + payloadLength];
    BlobFrame.writeHeader(out, type, flags, plainLength, payloadLength);
    if (dataKey == null) {
      body.get(out, BlobFrame.HEADER_LENGTH, bodyLength);
    } else {
      encrypt(out, name, body);
    }
    BlobFrame.putInt(out, 16, BlobFrame.crc32c(out, BlobFrame.HEADER_LENGTH, payloadLength));
    return out;
  }

  /** The compressed body, or null when compression is off or does not shrink the content. */
  private ByteBuffer compress(ByteBuffer plain, int plainLength) {
    if (zstd == null || plainLength == 0) return null;
    int bound = (int) Zstd.compressBound(plainLength);
    int n;
    if (plain.hasArray()) {
      if (scratch.length < bound) scratch = new byte[bound];
      n = zstd.compressByteArray(scratch, 0, bound, plain.array(), plain.arrayOffset() + plain.position(), plainLength);
      return n < plainLength ? ByteBuffer.wrap(scratch, 0, n) : null;
    }
    ByteBuffer src = plain;
    if (!plain.isDirect()) { // read-only heap buffer: no array access
      if (directIn == null || directIn.capacity() < plainLength) directIn = ByteBuffer.allocateDirect(plainLength);
      directIn.clear();
      directIn.put(plain.duplicate()).flip();
      src = directIn;
    }
    if (directOut == null || directOut.capacity() < bound) directOut = ByteBuffer.allocateDirect(bound);
    n = zstd.compressDirectByteBuffer(directOut, 0, bound, src, src.position(), plainLength);
    return n < plainLength ? directOut.duplicate().position(0).limit(n) : null;
  }

  private void encrypt(byte[] out, byte[] name, ByteBuffer body) {
    int nonceAt = BlobFrame.HEADER_LENGTH;
    KeyRing.RANDOM.nextBytes(nonceBuffer);
    System.arraycopy(nonceBuffer, 0, out, nonceAt, BlobFrame.NONCE_LENGTH);
    try {
      cipher.init(Cipher.ENCRYPT_MODE, dataKey, new GCMParameterSpec(8 * BlobFrame.TAG_LENGTH, nonceBuffer));
      cipher.updateAAD(out, 0, BlobFrame.AAD_HEADER_LENGTH);
      cipher.updateAAD(name);
      int at = nonceAt + BlobFrame.NONCE_LENGTH;
      cipher.doFinal(body, ByteBuffer.wrap(out, at, out.length - at));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM encryption failed", e);
    }
  }

  private final byte[] nonceBuffer = new byte[BlobFrame.NONCE_LENGTH];
}
