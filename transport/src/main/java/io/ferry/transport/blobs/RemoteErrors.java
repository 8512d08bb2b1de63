package io.ferry.transport.blobs;

import io.ferry.repository.NoSuchBlobException;
import io.ferry.repository.RepositoryException;
import io.ferry.repository.RepositoryFullException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.security.cert.CertificateException;
import java.util.Map;
import javax.net.ssl.SSLException;

/**
 * The exceptions a {@link RemoteBlobStore} throws: each names the operation, the blob key, the
 * repository and the peer's address, and gives the operator a hint.
 */
final class RemoteErrors {
  private final String peer;
  private final int port;
  private final String repository;
  private final String location;

  RemoteErrors(String peer, int port, String repository, String location) {
    this.peer = peer;
    this.port = port;
    this.repository = repository;
    this.location = location;
  }

  String unreachableHint() {
    return "is the recovery agent running and reachable on its data port " + port + "? (its service, firewalls, the pair's address " + peer + ")";
  }

  private String cannot(String op, String key) {
    return "cannot " + op + (key == null ? "" : " " + key) + " in repository " + repository + " on the agent at " + peer;
  }

  PeerUnavailableException unreachable(String op, String key, IOException e) {
    String why = e instanceof SocketTimeoutException ? "no connection within the timeout" : e instanceof ConnectException ? "connection refused"
        : e instanceof NoRouteToHostException ? "no route to host" : e instanceof UnknownHostException ? "unknown host" : reason(e);
    return new PeerUnavailableException(cannot(op, key) + ": " + why, unreachableHint(), e);
  }

  PeerUnavailableException broken(String op, String key, IOException e, String abortReason) {
    String why;
    if (abortReason != null) why = "no answer: " + abortReason;
    else if (e instanceof SocketTimeoutException) why = "no answer within the timeout";
    else why = "the connection broke (" + reason(e) + ")";
    return new PeerUnavailableException(cannot(op, key) + ": " + why, unreachableHint(), e);
  }

  /** Bytes that are not the channel's protocol: not transient. */
  RepositoryException protocol(String op, String key, WireFormatException e) {
    return new RepositoryException(cannot(op, key) + ": the answer is not the data channel protocol (" + e.getMessage() + ")",
        "is " + peer + " a Ferry agent's data port? Both agents should run the same Ferry version", e);
  }

  /**
   * A TLS failure that retrying cannot fix: a certificate refused by either side, or a peer that
   * does not speak TLS. An SSLException caused by the socket (reset, EOF, timeout) is not one.
   */
  static boolean isTlsRefusal(IOException e) {
    if (!(e instanceof SSLException)) return false;
    Throwable c = e.getCause();
    return !(c instanceof java.net.SocketException || c instanceof java.io.EOFException || c instanceof SocketTimeoutException);
  }

  RepositoryException tlsRefused(String op, String key, IOException e) {
    String m = String.valueOf(e.getMessage());
    CertificateException untrusted = null;
    for (Throwable t = e; t != null && untrusted == null; t = t.getCause()) if (t instanceof CertificateException ce) untrusted = ce;
    if (m.contains("fatal alert") && m.contains("certificate"))
      return new RepositoryException(cannot(op, key) + ": the agent refused this agent's certificate (" + m + ")",
          "this agent needs a certificate issued by the same vault as the recovery agent's (register it with the vault)", e);
    if (untrusted != null)
      return new RepositoryException(cannot(op, key) + ": the agent there is not the expected peer (" + untrusted.getMessage() + ")",
          "check the pair's address and peer agent id, and that both agents hold certificates issued by the same vault", e);
    return new RepositoryException(cannot(op, key) + ": TLS failed (" + m + ")", "is " + peer + " a Ferry agent's data port?", e);
  }

  /** The exception for a non-success answer. */
  IOException answer(String op, String key, PeerResponse r) {
    Map<String, String> err = r.error();
    String code = err.getOrDefault("code", "");
    String msg = err.get("error");
    String status = r.status() + " " + code;
    if (r.status() == 404 && ErrorBody.NO_SUCH_BLOB.equals(code) && key != null) return new NoSuchBlobException(key, location);
    if (r.status() == 403)
      return new RepositoryException(cannot(op, key) + ": access refused (" + msg + ")",
          "create the replication pair for repository " + repository + " on the vault, so that the recovery agent lets this agent use it");
    if (r.status() == 507 || ErrorBody.REPOSITORY_FULL.equals(code))
      return new RepositoryFullException(cannot(op, key) + ": the repository is full on the recovery agent (" + msg + ")",
          "free space on the recovery agent's repository filesystem, or run `ferry repo gc` there; nothing was stored", null);
    if (r.status() == 413) return new RepositoryException(cannot(op, key) + ": " + msg, "the blob is too large for the data channel; use a smaller chunk size");
    if (r.status() == 503) return new PeerUnavailableException(cannot(op, key) + ": the agent is not serving (" + msg + ")", unreachableHint(), null);
    if (r.status() >= 500) return new RepositoryException(cannot(op, key) + ": the agent failed (" + status + ": " + msg + ")", "see the recovery agent's log and its repository filesystem");
    if (r.status() == 400 || r.status() == 411 || r.status() == 405)
      return new RepositoryException(cannot(op, key) + ": the agent rejected the request (" + status + ": " + msg + ")",
          "both agents should run the same Ferry version; update the older one");
    return new RepositoryException(cannot(op, key) + ": unexpected answer '" + r.head().startLine + "' (" + msg + ")", "is " + peer + " a Ferry agent's data port?");
  }

  static String reason(Throwable e) {
    String m = e.getMessage();
    return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
  }

}
