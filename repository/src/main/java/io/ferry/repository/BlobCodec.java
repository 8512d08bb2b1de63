package io.ferry.repository;

import java.nio.ByteBuffer;
import javax.crypto.SecretKey;

/** Per-repository, per-thread frame writers and readers (zstd contexts and ciphers are not thread-safe). */
final class BlobCodec {
  private final ThreadLocal<BlobFrameWriter> writers;
  private final ThreadLocal<BlobFrameReader> readers;

  BlobCodec(String repository, int compressionLevel, SecretKey dataKey) {
    this.writers = ThreadLocal.withInitial(() -> new BlobFrameWriter(compressionLevel, dataKey));
    this.readers = ThreadLocal.withInitial(() -> new BlobFrameReader(repository, dataKey));
  }

  byte[] encode(BlobType type, byte[] name, ByteBuffer content) {
    return writers.get().write(type, name, content);
  }

  byte[] decode(BlobType type, byte[] name, String key, byte[] stored, int maxPlainLength) throws CorruptBlobException {
    return readers.get().read(type, name, key, stored, maxPlainLength);
  }
}
