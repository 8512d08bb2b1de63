package io.ferry.transport.blobs;

import io.ferry.repository.NoSuchBlobException;
import io.ferry.repository.RepositoryException;
import java.io.IOException;
import java.io.UncheckedIOException;

/** The status, error code and message a failed store operation becomes on the wire. */
record ServerAnswer(int status, String reason, String code, String message) {
  static ServerAnswer forbidden(String peer, String repository) {
    return new ServerAnswer(403, "Forbidden", ErrorBody.FORBIDDEN,
        "agent '" + peer + "' may not use repository '" + repository + "' on this agent (no such replication pair here)");
  }

  static ServerAnswer badRequest(String message) {
    return new ServerAnswer(400, "Bad Request", ErrorBody.BAD_REQUEST, message);
  }

  static ServerAnswer of(Throwable e) {
    Throwable t = e instanceof UncheckedIOException u && u.getCause() != null ? u.getCause() : e;
    if (t instanceof NoSuchBlobException) return new ServerAnswer(404, "Not Found", ErrorBody.NO_SUCH_BLOB, t.getMessage());
    if (t instanceof IllegalArgumentException) return badRequest(t.getMessage());
    if (BlobServer.isDiskFull(t)) return new ServerAnswer(507, "Insufficient Storage", ErrorBody.REPOSITORY_FULL, t.getMessage());
    if (t instanceof RepositoryException || t instanceof IOException) return new ServerAnswer(500, "Internal Server Error", ErrorBody.REPOSITORY_ERROR, t.getMessage());
    return new ServerAnswer(500, "Internal Server Error", ErrorBody.INTERNAL, t.toString());
  }
}
