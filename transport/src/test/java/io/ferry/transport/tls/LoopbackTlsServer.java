package io.ferry.transport.tls;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

/**
 * One-connection TLS server on 127.0.0.1 for handshake tests: completes the handshake, writes
 * {@code "hello <peer CN>\n"} and records the peer's CN (or the handshake failure).
 */
final class LoopbackTlsServer implements AutoCloseable {
  enum ClientAuth { NEED, WANT, NONE }

  private final SSLServerSocket server;
  final CompletableFuture<String> peer = new CompletableFuture<>();

  LoopbackTlsServer(SSLContext ctx, ClientAuth auth) throws IOException {
    server = (SSLServerSocket) ctx.getServerSocketFactory().createServerSocket(0, 1, InetAddress.getLoopbackAddress());
    server.setNeedClientAuth(auth == ClientAuth.NEED);
    if (auth == ClientAuth.WANT) server.setWantClientAuth(true);
    Thread.ofVirtual().start(() -> {
      try (SSLSocket s = (SSLSocket) server.accept()) {
        s.setSoTimeout(10_000);
        s.startHandshake();
        String cn = Tls.peerCommonName(s.getSession()).orElse("(none)");
        OutputStream out = s.getOutputStream();
        out.write(("hello " + cn + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
        peer.complete(cn);
        s.getInputStream().read(); // wait for the client to close
      } catch (IOException | RuntimeException e) {
        peer.completeExceptionally(e);
      }
    });
  }

  InetSocketAddress address() {
    return (InetSocketAddress) server.getLocalSocketAddress();
  }

  /** Connects with {@code ctx} to {@code host}, handshakes and reads the greeting; throws what the client sees. */
  String talk(SSLContext ctx, String host) throws IOException {
    try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(host, address().getPort())) {
      s.setSoTimeout(10_000);
      s.startHandshake();
      InputStream in = s.getInputStream();
      StringBuilder b = new StringBuilder();
      for (int c = in.read(); c != -1 && c != '\n'; c = in.read()) b.append((char) c);
      if (b.isEmpty()) throw new IOException("server closed the connection without a greeting");
      return b.toString();
    }
  }

  /** The CN the server saw, or the server-side failure. */
  String serverSaw() throws Exception {
    return peer.get(10, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
