package io.ferry.repository;

import java.util.zip.CRC32C;

/** Constants and helpers of the blob frame header (docs/formats.md §2). */
final class BlobFrame {
  static final int HEADER_LENGTH = 20;
  /** Header bytes covered by the AAD: everything but the CRC. */
  static final int AAD_HEADER_LENGTH = 16;
  static final int MAGIC = 0x46525942; // "FRYB"
  static final int VERSION = 1;
  static final int FLAG_COMPRESSED = 1;
  static final int FLAG_ENCRYPTED = 2;
  static final int KNOWN_FLAGS = FLAG_COMPRESSED | FLAG_ENCRYPTED;
  static final int NONCE_LENGTH = 12;
  static final int TAG_LENGTH = 16;
  static final int MAX_MANIFEST_LENGTH = 64 << 20;

  private BlobFrame() {}

  static void writeHeader(byte[] out, BlobType type, int flags, int plainLength, int payloadLength) {
    putInt(out, 0, MAGIC);
    out[4] = (byte) VERSION;
    out[5] = (byte) type.code;
    out[6] = (byte) flags;
    out[7] = 0;
    putInt(out, 8, plainLength);
    putInt(out, 12, payloadLength);
    putInt(out, 16, 0);
  }

  static int crc32c(byte[] b, int off, int len) {
    CRC32C crc = new CRC32C();
    crc.update(b, off, len);
    return (int) crc.getValue();
  }

  static void putInt(byte[] b, int off, int v) {
    b[off] = (byte) (v >>> 24);
    b[off + 1] = (byte) (v >>> 16);
    b[off + 2] = (byte) (v >>> 8);
    b[off + 3] = (byte) v;
  }

  static int getInt(byte[] b, int off) {
    return (b[off] & 0xff) << 24 | (b[off + 1] & 0xff) << 16 | (b[off + 2] & 0xff) << 8 | (b[off + 3] & 0xff);
  }
}
