package io.ferry.repository;

import java.io.IOException;
import java.util.stream.Stream;

/**
 * The narrow storage interface under a repository: keys to immutable byte arrays. Behaviour such
 * as retry, rate limiting, metrics or caching is added by wrapping, never by flags. Every
 * implementation must pass {@code BlobStoreContract} in the tests.
 *
 * <p>Keys are {@code /}-separated segments of {@code [A-Za-z0-9][A-Za-z0-9._-]*} (see
 * docs/formats.md §1).
 */
public interface BlobStore extends AutoCloseable {
  /** Stores {@code data} under {@code key}, atomically (readers see all or nothing); durable once {@link #sync()} returns. Overwrite allowed. */
  void put(String key, byte[] data) throws IOException;

  /** The bytes under {@code key}; {@link NoSuchBlobException} if absent. */
  byte[] get(String key) throws IOException;

  boolean exists(String key) throws IOException;

  /** Removes {@code key}; removing an absent key is not an error. */
  void delete(String key) throws IOException;

  /** Every blob whose key starts with {@code prefix}, in no particular order. Close the stream. */
  Stream<BlobInfo> list(String prefix) throws IOException;

  /** Makes every {@link #put} that returned before this call durable. */
  void sync() throws IOException;

  /** Where this store lives, for messages (a directory path, a bucket URL). */
  default String location() {
    return getClass().getSimpleName();
  }

  /**
   * Temporary files left by interrupted writes (crash debris), if the backend has such a thing.
   * Keys returned here are only valid for {@link #deleteTemporary(String)}.
   */
  default Stream<BlobInfo> temporaries() throws IOException {
    return Stream.empty();
  }

  /** Removes one temporary file listed by {@link #temporaries()}. */
  default void deleteTemporary(String key) throws IOException {}

  @Override
  default void close() throws IOException {}
}
