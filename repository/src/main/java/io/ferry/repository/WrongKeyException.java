package io.ferry.repository;

/** The passphrase or key file does not unlock the repository's master key. */
public class WrongKeyException extends RepositoryException {
  public WrongKeyException(String detail, String hint) {
    super(detail, hint);
  }
}
