package io.ferry.transport.blobs;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * Keep-alive TLS connections to one {@link BlobServer}, most recently used first (a few hot
 * connections stay warm, extra ones age out). A new connection is connected with the timeout,
 * handshaken, and greeted ({@code GET /hello}): the round trip confirms that the peer accepted this
 * agent's certificate, so a refusal is reported as such rather than as a broken connection.
 */
final class PeerConnectionPool implements AutoCloseable {
  /** Idle connections older than this are closed rather than reused (the server's idle timeout is longer). */
  static final Duration IDLE_LIFETIME = Duration.ofSeconds(50);
  static final int MAX_IDLE = 32;

  private final InetSocketAddress address;
  private final String host;
  private final SSLContext context;
  private final int timeoutMillis;
  private final RemoteErrors errors;
  private final ConcurrentLinkedDeque<PeerConnection> idle = new ConcurrentLinkedDeque<>();
  private volatile boolean closed;

  PeerConnectionPool(String host, int port, SSLContext context, Duration timeout, RemoteErrors errors) {
    this.host = host;
    this.address = InetSocketAddress.createUnresolved(host, port);
    this.context = context;
    this.timeoutMillis = (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis()));
    this.errors = errors;
  }

  PeerConnection acquire(String op, String key) throws IOException {
    if (closed) throw new IOException("the data channel to " + address + " is closed (" + op + (key == null ? "" : " " + key) + ")");
    long now = System.nanoTime();
    for (PeerConnection c; (c = idle.pollFirst()) != null;) {
      if (c.isClosed() || now - c.idleSinceNanos > IDLE_LIFETIME.toNanos()) {
        c.close();
        continue;
      }
      c.reused = true;
      return c;
    }
    return open(op, key);
  }

  void release(PeerConnection c, boolean reusable) {
    if (!reusable || closed || c.isClosed() || idle.size() >= MAX_IDLE) {
      c.close();
      return;
    }
    c.idleSinceNanos = System.nanoTime();
    idle.offerFirst(c);
    if (closed) closeIdle();
  }

  private PeerConnection open(String op, String key) throws IOException {
    Socket plain = new Socket();
    try {
      plain.setTcpNoDelay(true);
      plain.setKeepAlive(true);
      plain.setSoTimeout(timeoutMillis);
      plain.connect(new InetSocketAddress(host, address.getPort()), timeoutMillis);
    } catch (IOException e) {
      closeQuietly(plain);
      throw errors.unreachable(op, key, e);
    }
    SSLSocket s;
    PeerConnection c;
    try {
      s = (SSLSocket) context.getSocketFactory().createSocket(plain, host, address.getPort(), true);
      SSLParameters p = s.getSSLParameters();
      p.setProtocols(new String[] {"TLSv1.3"});
      // Tls.clientForPeer ignores it (the CN is the identity); any other context checks the host name
      p.setEndpointIdentificationAlgorithm("HTTPS");
      s.setSSLParameters(p);
      c = new PeerConnection(plain, s, TimeUnit.MILLISECONDS.toNanos(timeoutMillis));
    } catch (IOException e) {
      closeQuietly(plain);
      throw errors.broken(op, key, e, null);
    }
    Watchdog.watch(c);
    try {
      s.startHandshake();
      hello(c);
      return c;
    } catch (IOException e) {
      c.close();
      if (RemoteErrors.isTlsRefusal(e)) throw errors.tlsRefused(op, key, e);
      if (e instanceof io.ferry.repository.RepositoryException) throw e;
      if (e instanceof WireFormatException w) throw errors.protocol(op, key, w);
      throw errors.broken(op, key, e, c.abortReason());
    } finally {
      Watchdog.unwatch(c);
    }
  }

  private void hello(PeerConnection c) throws IOException {
    c.out.ascii("GET /hello HTTP/1.1\r\nHost: " + hostHeader() + "\r\n\r\n");
    c.out.flush();
    HttpHead head = HttpHead.readResponse(c.in);
    if (head == null) throw new java.io.EOFException("the agent closed the connection before answering the greeting");
    long len = head.contentLength();
    if (len < 0 || len > 64 * 1024) throw new WireFormatException("greeting answer without a sane Content-Length (" + head.startLine + ")");
    byte[] body = new byte[(int) len];
    c.in.readFully(body, 0, body.length);
    if (head.status != 200) throw errors.answer("greet", null, new PeerResponse(head.status, head, body));
    Map<String, String> hello = ErrorBody.decode(new String(body, StandardCharsets.UTF_8));
    if (!BlobServerConnection.PROTOCOL_VERSION.equals(hello.get("protocol")))
      throw new io.ferry.repository.RepositoryException("the agent at " + address + " speaks data channel protocol " + hello.get("protocol") + ", this agent "
          + BlobServerConnection.PROTOCOL_VERSION, "run the same Ferry version on both agents");
    c.peerAgent = hello.getOrDefault("agent", "?");
  }

  String hostHeader() {
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.getPort();
  }

  int idleConnections() {
    return idle.size();
  }

  @Override
  public void close() {
    closed = true;
    closeIdle();
  }

  private void closeIdle() {
    for (PeerConnection c; (c = idle.pollFirst()) != null;) c.close();
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // already failing
    }
  }
}
