package io.ferry.transport.blobs;

import io.ferry.repository.RepositoryException;

/**
 * A call on the data channel did not complete on the wire: the peer could not be reached, the
 * connection broke, timed out or the peer was shutting down. The operation may or may not have
 * happened on the peer; every blob operation is idempotent, so {@link RetryingBlobStore} retries
 * exactly these.
 */
public class PeerUnavailableException extends RepositoryException {
  public PeerUnavailableException(String detail, String hint, Throwable cause) {
    super(detail, hint, cause);
  }
}
