package io.ferry.transport.blobs;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/** Hand-written requests to a BlobServer, for what a well-behaved client never sends. */
final class RawHttps implements AutoCloseable {
  private final SSLSocket socket;
  private final InputStream in;
  private final OutputStream out;

  RawHttps(SSLContext ctx, int port) throws IOException {
    socket = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", port);
    socket.setSoTimeout(10_000);
    socket.startHandshake();
    in = socket.getInputStream();
    out = socket.getOutputStream();
  }

  void send(String head, byte[] body) throws IOException {
    out.write(head.getBytes(StandardCharsets.ISO_8859_1));
    if (body != null) out.write(body);
    out.flush();
  }

  /** The status line and header fields, up to the empty line. */
  String readHead() throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    int state = 0;
    for (int c; (c = in.read()) != -1;) {
      b.write(c);
      state = (c == '\r' || c == '\n') ? state + 1 : 0;
      if (state == 4) break;
    }
    return b.toString(StandardCharsets.ISO_8859_1);
  }

  String readBody(String head) throws IOException {
    int at = head.toLowerCase().indexOf("content-length:");
    if (at < 0) return "";
    int end = head.indexOf('\r', at);
    int n = Integer.parseInt(head.substring(at + 15, end).trim());
    return new String(in.readNBytes(n), StandardCharsets.UTF_8);
  }

  /** Sends a request and returns "status line\n…body". */
  String exchange(String head, byte[] body) throws IOException {
    send(head, body);
    String h = readHead();
    return h + readBody(h);
  }

  boolean closedByServer() throws IOException {
    try {
      return in.read() == -1;
    } catch (IOException e) {
      return true;
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
