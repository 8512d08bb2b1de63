package io.ferry.repository;

/** The storage under the repository is full (ENOSPC). */
public class RepositoryFullException extends RepositoryException {
  public RepositoryFullException(String detail, String hint, Throwable cause) {
    super(detail, hint, cause);
  }
}
