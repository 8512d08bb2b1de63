package io.ferry.repository;

/** A blob referenced by an index or manifest is absent from the store. */
public class MissingBlobException extends RepositoryException {
  private final String key;

  public MissingBlobException(String key, String detail, String hint) {
    super(detail, hint);
    this.key = key;
  }

  public String key() {
    return key;
  }
}
