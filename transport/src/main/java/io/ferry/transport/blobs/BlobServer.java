package io.ferry.transport.blobs;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.LongAdder;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.SSLSocket;

/**
 * The receiving end of the replication data channel: serves {@link io.ferry.repository.BlobStore}
 * operations over HTTP/1.1 on mutual TLS 1.3 (a client certificate is required; its CN is the
 * peer's agent id, which {@link BlobAccess} maps to the repositories it may use). One virtual
 * thread per connection; connections are kept alive between requests. The wire format is in
 * docs/formats.md, "Replication data channel (agent to agent)".
 */
public final class BlobServer implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(BlobServer.class.getName());
  /** Largest blob body accepted by default (chunks are at most 4 MiB before compression). */
  public static final int DEFAULT_MAX_BLOB_BYTES = 64 << 20;
  /** Request bodies held in memory at once, over all connections (bounds the heap a burst of puts can take). */
  static final long BODY_BUDGET_BYTES = 512L << 20;
  static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(30);
  /** Longer than a client's idle keep-alive ({@link PeerConnectionPool#IDLE_LIFETIME}), so clients close first. */
  static final Duration IDLE_TIMEOUT = Duration.ofSeconds(120);

  private final ServerSocket listener;
  private final SSLSocketFactory tls;
  final BlobAccess access;
  final int maxBlobBytes;
  final Semaphore bodyBudget; // in KiB
  final LongAdder bytesReceived = new LongAdder();
  final LongAdder blobsReceived = new LongAdder();
  final LongAdder requests = new LongAdder();
  private final Set<Socket> connections = ConcurrentHashMap.newKeySet();
  private final Thread acceptor;
  private volatile boolean closed;

  private BlobServer(ServerSocket listener, SSLSocketFactory tls, BlobAccess access, int maxBlobBytes) {
    this.listener = listener;
    this.tls = tls;
    this.access = access;
    this.maxBlobBytes = maxBlobBytes;
    this.bodyBudget = new Semaphore((int) (Math.max(BODY_BUDGET_BYTES, maxBlobBytes) >> 10));
    this.acceptor = Thread.ofPlatform().daemon().name("ferry-blob-server-" + listener.getLocalPort()).unstarted(this::acceptLoop);
  }

  /** Listens on {@code bind} (port 0: any free port) with {@code serverContext} ({@code Tls.server}). */
  public static BlobServer start(InetSocketAddress bind, SSLContext serverContext, BlobAccess access) throws IOException {
    return start(bind, serverContext, access, DEFAULT_MAX_BLOB_BYTES);
  }

  /** As {@link #start(InetSocketAddress, SSLContext, BlobAccess)}, refusing blobs larger than {@code maxBlobBytes} (413). */
  public static BlobServer start(InetSocketAddress bind, SSLContext serverContext, BlobAccess access, int maxBlobBytes) throws IOException {
    Objects.requireNonNull(access, "access");
    if (maxBlobBytes <= 0) throw new IllegalArgumentException("maxBlobBytes must be positive");
    ServerSocket s = new ServerSocket();
    try {
      s.setReuseAddress(true);
      s.bind(bind, 128);
    } catch (IOException e) {
      s.close();
      throw new IOException("cannot listen for replication data on " + bind + ": " + e.getMessage()
          + " — hint: is another process (an older agent?) using that port, or is the address not on this host?", e);
    }
    BlobServer server = new BlobServer(s, serverContext.getSocketFactory(), access, maxBlobBytes);
    server.acceptor.start();
    return server;
  }

  public int port() {
    return listener.getLocalPort();
  }

  public InetSocketAddress address() {
    return (InetSocketAddress) listener.getLocalSocketAddress();
  }

  /** Blob bytes received in put bodies (stored or not). */
  public long bytesReceived() {
    return bytesReceived.sum();
  }

  /** Puts that were stored. */
  public long blobsReceived() {
    return blobsReceived.sum();
  }

  /** Requests answered (any operation, any outcome). */
  public long requests() {
    return requests.sum();
  }

  /** Connections open now. */
  public int connections() {
    return connections.size();
  }

  private void acceptLoop() {
    while (!closed) {
      Socket s;
      try {
        s = listener.accept();
      } catch (IOException e) {
        if (closed) return;
        LOG.log(System.Logger.Level.WARNING, "accepting a data connection on port " + port() + " failed: " + e);
        sleepQuietly();
        continue;
      }
      connections.add(s);
      if (closed) { // close() may have run between accept and add
        closeQuietly(s);
        connections.remove(s);
        return;
      }
      Thread.ofVirtual().name("ferry-blob-conn-" + s.getRemoteSocketAddress()).start(() -> {
        try {
          new BlobServerConnection(this, s, serverSide(s)).run();
        } catch (IOException e) {
          LOG.log(System.Logger.Level.DEBUG, () -> "cannot start TLS on a data connection from " + s.getRemoteSocketAddress() + ": " + e);
        } finally {
          closeQuietly(s);
          connections.remove(s);
        }
      });
    }
  }

  /**
   * TLS on an accepted TCP socket, server side, client certificate required, TLS 1.3. Layered
   * rather than accepted from an SSLServerSocket so that {@link #close()} can close the TCP socket:
   * {@code SSLSocket.close()} waits for a writer blocked on a client that stopped reading.
   */
  private SSLSocket serverSide(Socket plain) throws IOException {
    SSLSocket s = (SSLSocket) tls.createSocket(plain, null, false); // the TCP socket is ours to close (BlobServerConnection)
    s.setUseClientMode(false);
    SSLParameters p = s.getSSLParameters();
    p.setNeedClientAuth(true);
    p.setProtocols(new String[] {"TLSv1.3"});
    s.setSSLParameters(p);
    return s;
  }

  private static void sleepQuietly() {
    try {
      Thread.sleep(100); // e.g. out of file descriptors: do not spin
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Stops listening and closes every connection; requests in flight fail on the client as broken connections. */
  @Override
  public void close() {
    if (closed) return;
    closed = true;
    closeQuietly(listener);
    for (Socket s : connections) closeQuietly(s);
    try {
      acceptor.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  boolean isClosed() {
    return closed;
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception ignored) {
      // closing
    }
  }

  /** A store error that means "no space": {@code RepositoryFullException}, or ENOSPC/EDQUOT anywhere in the cause chain. */
  static boolean isDiskFull(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof io.ferry.repository.RepositoryFullException) return true;
      String m = t.getMessage();
      if (m != null && (m.contains("No space left on device") || m.contains("Disk quota exceeded"))) return true;
    }
    return false;
  }

  @Override
  public String toString() {
    return "BlobServer[" + address() + ", " + connections.size() + " connections, " + requests() + " requests]";
  }
}
