package io.ferry.transport.blobs;

import io.ferry.repository.BlobInfo;
import io.ferry.repository.BlobStore;
import io.ferry.repository.NoSuchBlobException;
import io.ferry.repository.RepositoryException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import javax.net.ssl.SSLContext;

/**
 * A {@link BlobStore} whose blobs live on another agent, behind its {@link BlobServer}: the source
 * agent's repository writes through it to the recovery agent's storage. Thread-safe: each call
 * takes a keep-alive TLS connection from a pool (several calls run at once on several
 * connections). A peer that is down, unreachable or stalled ends a call with a {@link
 * PeerUnavailableException} within {@code timeout} (connect, each read, and any period without
 * progress while writing); retrying is {@link RetryingBlobStore}'s job.
 */
public final class RemoteBlobStore implements BlobStore {
  /** The data port when the base URI names none (docs/DESIGN: TLS data 9443). */
  public static final int DEFAULT_PORT = 9443;
  private static final int MAX_ERROR_BODY = 1 << 20;

  private final String repository;
  private final String location;
  private final String hostHeader;
  private final PeerConnectionPool pool;
  private final RemoteErrors errors;
  private volatile boolean closed;

  /**
   * @param base the peer's data endpoint, {@code https://<host>:<port>} (path empty)
   * @param repository the repository's name on the peer (what its {@link BlobAccess} knows)
   * @param clientContext usually {@code Tls.clientForPeer(identity, ca, peerAgentId)}
   * @param timeout connect timeout, read timeout and longest time without progress
   */
  public RemoteBlobStore(URI base, String repository, SSLContext clientContext, Duration timeout) {
    Objects.requireNonNull(base, "base");
    Objects.requireNonNull(clientContext, "clientContext");
    if (timeout == null || timeout.isNegative() || timeout.isZero()) throw new IllegalArgumentException("timeout must be positive, got " + timeout);
    this.repository = BlobKeyRules.requireRepository(repository);
    if (!"https".equalsIgnoreCase(base.getScheme()) || base.getHost() == null)
      throw new IllegalArgumentException("data channel address '" + base + "' must be https://<host>:<port>");
    if (base.getRawPath() != null && !base.getRawPath().isEmpty() && !base.getRawPath().equals("/") || base.getRawQuery() != null)
      throw new IllegalArgumentException("data channel address '" + base + "' must have no path or query (the repository is given separately)");
    String host = base.getHost();
    if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
    int port = base.getPort() < 0 ? DEFAULT_PORT : base.getPort();
    String hostPort = (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    this.location = "https://" + hostPort + BlobRoute.REPOSITORIES + repository;
    this.errors = new RemoteErrors(hostPort, port, repository, location);
    this.pool = new PeerConnectionPool(host, port, clientContext, timeout, errors);
    this.hostHeader = pool.hostHeader();
  }

  @Override
  public String location() {
    return location;
  }

  public String repository() {
    return repository;
  }

  @Override
  public void put(String key, byte[] data) throws IOException {
    BlobKeyRules.requireKey(key);
    Objects.requireNonNull(data, "data");
    PeerResponse r = call("put", key, "PUT", blob(key), data, false);
    if (r.status() != 204 && r.status() != 200 && r.status() != 201) throw errors.answer("put", key, r);
  }

  @Override
  public byte[] get(String key) throws IOException {
    BlobKeyRules.requireKey(key);
    PeerResponse r = call("get", key, "GET", blob(key), null, false);
    if (r.status() == 200) return r.body();
    if (r.status() == 404) throw new NoSuchBlobException(key, location);
    throw errors.answer("get", key, r);
  }

  @Override
  public boolean exists(String key) throws IOException {
    BlobKeyRules.requireKey(key);
    PeerResponse r = call("check", key, "HEAD", blob(key), null, true);
    if (r.status() == 200) return true;
    if (r.status() == 404) return false;
    throw errors.answer("check", key, r);
  }

  @Override
  public void delete(String key) throws IOException {
    BlobKeyRules.requireKey(key);
    PeerResponse r = call("delete", key, "DELETE", blob(key), null, false);
    if (r.status() != 204 && r.status() != 200 && r.status() != 404) throw errors.answer("delete", key, r);
  }

  @Override
  public void sync() throws IOException {
    PeerResponse r = call("sync", null, "POST", new BlobRoute(BlobRoute.Kind.SYNC, repository, null, null).target(), new byte[0], false);
    if (r.status() != 204 && r.status() != 200) throw errors.answer("sync", null, r);
  }

  /**
   * Streams the listing as the peer sends it (constant memory for any number of keys). A
   * connection failure while iterating is an {@link UncheckedIOException} around a {@link
   * PeerUnavailableException}; a listing that ended early is never taken for a complete one.
   */
  @Override
  public Stream<BlobInfo> list(String prefix) throws IOException {
    BlobKeyRules.requirePrefix(prefix);
    String op = "list";
    String what = prefix.isEmpty() ? null : "prefix " + prefix;
    String target = new BlobRoute(BlobRoute.Kind.LIST, repository, null, prefix).target();
    for (int attempt = 1;; attempt++) {
      checkOpen(op, what);
      PeerConnection c = pool.acquire(op, what);
      boolean headRead = false;
      Watchdog.watch(c);
      try {
        writeRequest(c, "GET", target, null);
        HttpHead head = HttpHead.readResponse(c.in);
        if (head == null) throw new java.io.EOFException("the agent closed the connection before answering");
        headRead = true;
        if (head.status != 200 || !head.chunked()) {
          PeerResponse r = readBody(c, head, false);
          pool.release(c, !head.closes());
          if (r.status() == 200) throw new RepositoryException("cannot list repository " + repository + " on " + location + ": the listing is not chunked", "update the recovery agent");
          throw errors.answer(op, what, r);
        }
        Watchdog.unwatch(c); // the caller consumes at its own pace; reads still time out
        return stream(new Listing(c, head.closes(), what));
      } catch (IOException e) {
        Watchdog.unwatch(c);
        if (e instanceof RepositoryException || e instanceof NoSuchBlobException) throw e;
        c.close();
        if (c.reused && !headRead && c.abortReason() == null && attempt == 1) continue; // a keep-alive connection the peer had closed
        if (e instanceof WireFormatException w) throw errors.protocol(op, what, w);
        if (RemoteErrors.isTlsRefusal(e)) throw errors.tlsRefused(op, what, e);
        throw errors.broken(op, what, e, c.abortReason());
      }
    }
  }

  private static Stream<BlobInfo> stream(Listing listing) {
    return StreamSupport.stream(Spliterators.spliteratorUnknownSize(listing, Spliterator.ORDERED | Spliterator.NONNULL), false).onClose(listing::close);
  }

  /** The lines of one listing response; gives the connection back to the pool after {@code .end}. */
  private final class Listing implements Iterator<BlobInfo> {
    private final PeerConnection conn;
    private final boolean closeAfter;
    private final String what;
    private final ChunkedBodyInput body;
    private final WireInput lines;
    private BlobInfo next;
    private long count;
    private boolean finished;

    Listing(PeerConnection conn, boolean closeAfter, String what) {
      this.conn = conn;
      this.closeAfter = closeAfter;
      this.what = what;
      this.body = new ChunkedBodyInput(conn.in);
      this.lines = new WireInput(body, 64 * 1024, conn.progress);
    }

    @Override
    public boolean hasNext() {
      if (next != null) return true;
      if (finished) return false;
      try {
        String line = lines.readLine(BlobKeyRules.MAX_KEY_LENGTH + 64);
        if (line == null) throw new java.io.EOFException("the listing ended without its .end line");
        if (line.startsWith(".end ")) {
          long sent = Long.parseLong(line.substring(5).trim());
          if (sent != count) throw new WireFormatException("the listing announced " + sent + " keys but sent " + count);
          drain();
          return false;
        }
        if (line.startsWith(".error ")) {
          String rest = line.substring(7);
          int sp = rest.indexOf(' ');
          String code = sp < 0 ? rest : rest.substring(0, sp);
          String msg = sp < 0 ? "" : rest.substring(sp + 1);
          drain();
          byte[] json = ErrorBody.encode(java.util.Map.of("code", code, "error", msg)).getBytes(java.nio.charset.StandardCharsets.UTF_8);
          throw new UncheckedIOException(errors.answer("list", what, new PeerResponse(ErrorBody.REPOSITORY_FULL.equals(code) ? 507 : 500, null, json)));
        }
        next = parse(line);
        count++;
        return true;
      } catch (UncheckedIOException e) {
        throw e;
      } catch (IOException | RuntimeException e) {
        finished = true;
        conn.close();
        IOException io = e instanceof IOException x ? x : new WireFormatException("malformed listing: " + e.getMessage());
        throw new UncheckedIOException(e instanceof WireFormatException || e instanceof RuntimeException
            ? new RepositoryException("cannot list repository " + repository + " on " + location + ": " + io.getMessage(), "both agents should run the same Ferry version", io)
            : errors.broken("list", what, io, conn.abortReason()));
      }
    }

    private BlobInfo parse(String line) throws WireFormatException {
      int a = line.indexOf(' ');
      int b = a < 0 ? -1 : line.indexOf(' ', a + 1);
      if (b < 0) throw new WireFormatException("malformed listing line '" + HttpHead.abbreviate(line) + "'");
      try {
        return new BlobInfo(line.substring(0, a), Long.parseLong(line.substring(a + 1, b)), Instant.ofEpochMilli(Long.parseLong(line.substring(b + 1))));
      } catch (NumberFormatException e) {
        throw new WireFormatException("malformed listing line '" + HttpHead.abbreviate(line) + "'");
      }
    }

    /** Reads to the end of the chunked body, then gives the connection back. */
    private void drain() throws IOException {
      byte[] skip = new byte[512];
      while (lines.read(skip, 0, skip.length) >= 0) {
        // trailing bytes after .end: none expected
      }
      finished = true;
      pool.release(conn, body.complete() && !closeAfter);
    }

    @Override
    public BlobInfo next() {
      if (!hasNext()) throw new NoSuchElementException();
      BlobInfo b = next;
      next = null;
      return b;
    }

    void close() {
      if (!finished) {
        finished = true;
        conn.close(); // abandoned mid-listing: the rest is not worth reading
      }
    }
  }

  /**
   * One request and its whole response, on a pooled connection. A keep-alive connection that fails
   * before any answer is retried once on a new connection (the peer may have closed it while
   * idle); every operation of the channel is idempotent.
   */
  private PeerResponse call(String op, String key, String method, String target, byte[] body, boolean headRequest) throws IOException {
    for (int attempt = 1;; attempt++) {
      checkOpen(op, key);
      PeerConnection c = pool.acquire(op, key);
      boolean headRead = false;
      boolean reusable = false;
      Watchdog.watch(c);
      try {
        writeRequest(c, method, target, body);
        HttpHead head = HttpHead.readResponse(c.in);
        if (head == null) throw new java.io.EOFException("the agent closed the connection before answering");
        headRead = true;
        PeerResponse r = readBody(c, head, headRequest);
        reusable = !head.closes();
        return r;
      } catch (IOException e) {
        c.close();
        if (e instanceof RepositoryException) throw e;
        if (c.reused && !headRead && c.abortReason() == null && attempt == 1) continue;
        if (e instanceof WireFormatException w) throw errors.protocol(op, key, w);
        if (RemoteErrors.isTlsRefusal(e)) throw errors.tlsRefused(op, key, e);
        throw errors.broken(op, key, e, c.abortReason());
      } finally {
        Watchdog.unwatch(c);
        pool.release(c, reusable);
      }
    }
  }

  private void writeRequest(PeerConnection c, String method, String target, byte[] body) throws IOException {
    StringBuilder h = new StringBuilder(160).append(method).append(' ').append(target).append(" HTTP/1.1\r\nHost: ").append(hostHeader).append("\r\n");
    if (body != null) h.append("Content-Type: application/octet-stream\r\nContent-Length: ").append(body.length).append("\r\n");
    c.out.ascii(h.append("\r\n").toString());
    if (body != null) c.out.write(body, 0, body.length);
    c.out.flush();
  }

  private PeerResponse readBody(PeerConnection c, HttpHead head, boolean headRequest) throws IOException {
    if (headRequest || head.status == 204 || head.status == 304 || head.status < 200) return new PeerResponse(head.status, head, new byte[0]);
    if (head.chunked()) throw new WireFormatException("unexpected chunked answer '" + head.startLine + "'");
    long len = head.contentLength();
    if (len < 0) throw new WireFormatException("answer without Content-Length '" + head.startLine + "'");
    if (head.status != 200 && len > MAX_ERROR_BODY) throw new WireFormatException("error answer of " + len + " bytes");
    if (len > Integer.MAX_VALUE - 16) throw new WireFormatException("answer of " + len + " bytes is too large for one blob");
    byte[] data = new byte[(int) len];
    c.in.readFully(data, 0, data.length);
    return new PeerResponse(head.status, head, data);
  }

  private String blob(String key) {
    return BlobRoute.REPOSITORIES + repository + "/blobs/" + key;
  }

  private void checkOpen(String op, String key) throws IOException {
    if (closed) throw new IOException("cannot " + op + (key == null ? "" : " " + key) + ": the remote store " + location + " is closed");
  }

  /** Closes the pooled connections; calls in flight finish on theirs. Does not sync. */
  @Override
  public void close() {
    closed = true;
    pool.close();
  }

  @Override
  public String toString() {
    return "RemoteBlobStore[" + location + "]";
  }
}
