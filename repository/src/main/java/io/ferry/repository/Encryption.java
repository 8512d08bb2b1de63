package io.ferry.repository;

/** How a repository's blobs are protected at rest; matches the {@link KeySource} given to init/open. */
public enum Encryption {
  /** Plain SHA-256 ids, no encryption. */
  NONE,
  /** Master key wrapped by a PBKDF2-derived key. */
  PASSPHRASE,
  /** Master key wrapped by the 32 bytes of a key file. */
  KEYFILE
}
