package io.ferry.repository;

import java.util.Objects;

/**
 * What a new repository is made of. {@code chunkSize}: power of two, 64 KiB … 4 MiB; {@code
 * compressionLevel}: zstd level (-7 … 22), 0 disables compression; {@code indexFanout}: ids per
 * index page, power of two 16 … 16384; {@code kdfIterations}: PBKDF2 iterations for a passphrase
 * (at least 1000; the default is the documented production value). See docs/formats.md.
 */
public record RepositoryConfig(int chunkSize, int compressionLevel, Encryption encryption, int indexFanout, int kdfIterations) {
  /** Default chunk size, 256 KiB; the benchmark (docs/benchmarks.md) will revisit it. */
  public static final int DEFAULT_CHUNK_SIZE = 256 * 1024;
  public static final int MIN_CHUNK_SIZE = 64 * 1024;
  public static final int MAX_CHUNK_SIZE = 4 * 1024 * 1024;
  public static final int DEFAULT_COMPRESSION_LEVEL = 1;
  public static final int DEFAULT_INDEX_FANOUT = 1024;
  public static final int DEFAULT_KDF_ITERATIONS = KeyRing.DEFAULT_ITERATIONS;

  public RepositoryConfig {
    Objects.requireNonNull(encryption, "encryption");
    if (chunkSize < MIN_CHUNK_SIZE || chunkSize > MAX_CHUNK_SIZE || Integer.bitCount(chunkSize) != 1)
      throw new IllegalArgumentException("chunk size must be a power of two between 64 KiB and 4 MiB, got " + chunkSize);
    if (compressionLevel < -7 || compressionLevel > 22)
      throw new IllegalArgumentException("zstd compression level must be between -7 and 22 (0 = no compression), got " + compressionLevel);
    if (indexFanout < 16 || indexFanout > 16384 || Integer.bitCount(indexFanout) != 1)
      throw new IllegalArgumentException("index fan-out must be a power of two between 16 and 16384, got " + indexFanout);
    if (kdfIterations < 1000) throw new IllegalArgumentException("PBKDF2 iterations must be at least 1000, got " + kdfIterations);
  }

  public RepositoryConfig(int chunkSize, int compressionLevel, Encryption encryption) {
    this(chunkSize, compressionLevel, encryption, DEFAULT_INDEX_FANOUT, DEFAULT_KDF_ITERATIONS);
  }

  /** 256 KiB chunks, zstd level 1, no encryption. */
  public static RepositoryConfig defaults() {
    return new RepositoryConfig(DEFAULT_CHUNK_SIZE, DEFAULT_COMPRESSION_LEVEL, Encryption.NONE);
  }

  public RepositoryConfig withEncryption(Encryption e) {
    return new RepositoryConfig(chunkSize, compressionLevel, e, indexFanout, kdfIterations);
  }

  public RepositoryConfig withChunkSize(int size) {
    return new RepositoryConfig(size, compressionLevel, encryption, indexFanout, kdfIterations);
  }

  public RepositoryConfig withCompressionLevel(int level) {
    return new RepositoryConfig(chunkSize, level, encryption, indexFanout, kdfIterations);
  }

  public RepositoryConfig withIndexFanout(int fanout) {
    return new RepositoryConfig(chunkSize, compressionLevel, encryption, fanout, kdfIterations);
  }

  public RepositoryConfig withKdfIterations(int iterations) {
    return new RepositoryConfig(chunkSize, compressionLevel, encryption, indexFanout, iterations);
  }
}
