package io.ferry.repository;

/** A blob exists but failed a check (frame, checksum, authentication, decompression or id). */
public class CorruptBlobException extends RepositoryException {
  private final String key;
  private final String reason;

  public CorruptBlobException(String key, String reason, String hint) {
    this(null, key, reason, hint);
  }

  /** {@code repository} names the repository in the message (id and location), may be null. */
  public CorruptBlobException(String repository, String key, String reason, String hint) {
    super("blob " + key + (repository == null ? "" : " of repository " + repository) + " is corrupt: " + reason, hint);
    this.key = key;
    this.reason = reason;
  }

  public String key() {
    return key;
  }

  public String reason() {
    return reason;
  }
}
