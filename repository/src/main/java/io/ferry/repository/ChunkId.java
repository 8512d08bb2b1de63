package io.ferry.repository;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * A 32-byte content id: SHA-256 of the plaintext, or HMAC-SHA256 with the repository's id key
 * when encrypted. {@link #ZERO} (all zero bytes) means "all-zero content, not stored". Equality is
 * by content. The array is copied in and out, so an id is immutable.
 */
public record ChunkId(byte[] bytes) {
  public static final int LENGTH = 32;
  public static final ChunkId ZERO = new ChunkId(new byte[LENGTH]);
  private static final HexFormat HEX = HexFormat.of();

  public ChunkId {
    if (bytes == null || bytes.length != LENGTH)
      throw new IllegalArgumentException("a chunk id is " + LENGTH + " bytes, got " + (bytes == null ? "null" : bytes.length));
    bytes = bytes.clone();
  }

  /** Reads an id from {@code src[off, off+32)}. */
  public static ChunkId read(byte[] src, int off) {
    return new ChunkId(Arrays.copyOfRange(src, off, off + LENGTH));
  }

  /** Parses 64 hex digits. */
  public static ChunkId fromHex(String hex) {
    if (hex == null || hex.length() != 2 * LENGTH)
      throw new IllegalArgumentException("a chunk id is 64 hex digits, got " + (hex == null ? "null" : "'" + hex + "'"));
    return new ChunkId(HEX.parseHex(hex));
  }

  @Override
  public byte[] bytes() {
    return bytes.clone();
  }

  /** Copies the 32 bytes into {@code dst} at {@code off}. */
  public void copyTo(byte[] dst, int off) {
    System.arraycopy(bytes, 0, dst, off, LENGTH);
  }

  /** True if {@code src[off, off+32)} holds this id. */
  public boolean matches(byte[] src, int off) {
    return Arrays.equals(bytes, 0, LENGTH, src, off, off + LENGTH);
  }

  public boolean isZero() {
    return Arrays.equals(bytes, ZERO.bytes);
  }

  public String hex() {
    return HEX.formatHex(bytes);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ChunkId other && Arrays.equals(bytes, other.bytes);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bytes);
  }

  @Override
  public String toString() {
    return hex();
  }
}
