package io.ferry.transport.blobs;

import io.ferry.repository.BlobInfo;
import io.ferry.repository.BlobStore;
import io.ferry.transport.tls.Tls;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.Socket;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import javax.net.ssl.SSLSocket;

/**
 * One accepted data connection: the TLS handshake (client certificate required), then requests
 * one after another until the peer closes, a request asks to close, or the connection idles out.
 * Every request is validated (path, key, size) before the store is touched.
 */
final class BlobServerConnection {
  private static final System.Logger LOG = System.getLogger(BlobServer.class.getName());
  static final String PROTOCOL_VERSION = "1";

  private final BlobServer server;
  private final Socket plain;
  private final SSLSocket socket;
  private final String remote;
  private WireInput in;
  private WireOutput out;
  private String peer;
  private String self;

  BlobServerConnection(BlobServer server, Socket plain, SSLSocket socket) {
    this.server = server;
    this.plain = plain;
    this.socket = socket;
    this.remote = String.valueOf(socket.getRemoteSocketAddress());
  }

  void run() {
    try {
      socket.setTcpNoDelay(true);
      socket.setSoTimeout((int) BlobServer.HANDSHAKE_TIMEOUT.toMillis());
      try {
        socket.startHandshake();
      } catch (IOException e) {
        LOG.log(System.Logger.Level.INFO, () -> "refused a data connection from " + remote + ": " + e.getMessage());
        lingerAfterAlert();
        return;
      }
      peer = Tls.peerCommonName(socket.getSession()).orElse(null);
      if (peer == null) return; // need-client-auth makes this unreachable
      self = ownName();
      socket.setSoTimeout((int) BlobServer.IDLE_TIMEOUT.toMillis());
      in = new WireInput(socket.getInputStream(), 64 * 1024, Progress.NONE);
      out = new WireOutput(socket.getOutputStream(), 16 * 1024, Progress.NONE);
      while (!server.isClosed()) {
        HttpHead req;
        try {
          req = HttpHead.readRequest(in);
        } catch (WireFormatException e) {
          server.requests.increment();
          answer(null, ServerAnswer.badRequest(e.getMessage()), null, null, true);
          return;
        }
        if (req == null) return;
        server.requests.increment();
        if (!handle(req)) return;
      }
    } catch (IOException e) {
      if (!server.isClosed()) LOG.log(System.Logger.Level.DEBUG, () -> "data connection from " + remote + (peer == null ? "" : " (agent " + peer + ")") + " ended: " + e);
    } finally {
      try {
        plain.close(); // no close_notify: messages are length-framed, and SSLSocket.close() may wait on the peer
      } catch (IOException ignored) {
        // the peer is gone
      }
    }
  }

  /**
   * After a refused handshake the alert is on its way; closing at once with the client's first
   * request unread would reset the connection and destroy the alert before the client reads it.
   * So: send FIN, read and drop what the client still sends for up to a second, then close.
   */
  private void lingerAfterAlert() {
    try {
      plain.shutdownOutput();
      plain.setSoTimeout(1000);
      byte[] drop = new byte[8192];
      long deadline = System.nanoTime() + 1_000_000_000L;
      var rawIn = plain.getInputStream();
      for (int total = 0; total < (1 << 20) && System.nanoTime() < deadline;) {
        int n = rawIn.read(drop);
        if (n < 0) break;
        total += n;
      }
    } catch (IOException ignored) {
      // the client is gone already
    }
  }

  private String ownName() {
    Certificate[] local = socket.getSession().getLocalCertificates();
    return local != null && local.length > 0 && local[0] instanceof X509Certificate c ? io.ferry.transport.tls.Certificates.commonName(c).orElse("?") : "?";
  }

  /** Answers one request; false if the connection must be closed afterwards. */
  private boolean handle(HttpHead req) throws IOException {
    boolean keep = !req.closes();
    BlobRoute route;
    try {
      route = BlobRoute.parse(req.target);
    } catch (IllegalArgumentException e) {
      return answer(req, ServerAnswer.badRequest(e.getMessage()), null, null, !dropBody(req)) && keep;
    }
    if (route.kind() == BlobRoute.Kind.HELLO) {
      if (!req.method.equals("GET")) return methodNotAllowed(req, "GET") && keep;
      if (!dropBody(req)) return false;
      Map<String, String> hello = new LinkedHashMap<>();
      hello.put("agent", self);
      hello.put("peer", peer);
      hello.put("protocol", PROTOCOL_VERSION);
      respond(200, "OK", "application/json", ErrorBody.encode(hello).getBytes(java.nio.charset.StandardCharsets.UTF_8), false, !keep);
      return keep;
    }
    String allowed = switch (route.kind()) {
      case BLOB -> "PUT, GET, HEAD, DELETE";
      case LIST -> "GET";
      case SYNC -> "POST";
      case HELLO -> "GET";
    };
    if (!java.util.List.of(allowed.split(", ")).contains(req.method)) return methodNotAllowed(req, allowed) && keep;
    BlobStore store;
    try {
      Optional<BlobStore> s = server.access.open(peer, route.repository());
      if (s.isEmpty()) return answer(req, ServerAnswer.forbidden(peer, route.repository()), route, null, !dropBody(req)) && keep;
      store = s.get();
    } catch (IOException | RuntimeException e) {
      return answer(req, ServerAnswer.of(e), route, e, !dropBody(req)) && keep;
    }
    return switch (route.kind()) {
      case BLOB -> switch (req.method) {
        case "PUT" -> put(req, route, store) && keep;
        case "GET" -> dropBody(req) && get(req, route, store) && keep;
        case "HEAD" -> dropBody(req) && exists(req, route, store) && keep;
        default -> dropBody(req) && delete(req, route, store) && keep;
      };
      case LIST -> dropBody(req) && list(req, route, store) && keep;
      default -> dropBody(req) && sync(req, route, store) && keep;
    };
  }

  private boolean put(HttpHead req, BlobRoute route, BlobStore store) throws IOException {
    long len = req.contentLength();
    if (req.hasTransferEncoding() || len < 0)
      return answer(req, new ServerAnswer(411, "Length Required", ErrorBody.BAD_REQUEST, "a put needs a Content-Length (chunked bodies are not accepted)"), route, null, true);
    if (len > server.maxBlobBytes) {
      ServerAnswer tooLarge = new ServerAnswer(413, "Content Too Large", ErrorBody.TOO_LARGE,
          "blob " + route.key() + " of " + len + " bytes is larger than the " + server.maxBlobBytes + " bytes this agent accepts");
      boolean drained = len <= 4L * server.maxBlobBytes && !expectsContinue(req) && skip(len);
      return answer(req, tooLarge, route, null, !drained);
    }
    int kib = (int) ((len + 1023) >> 10);
    try {
      server.bodyBudget.acquire(kib);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted waiting for memory for a put of " + len + " bytes");
    }
    try {
      if (expectsContinue(req)) { // curl asks before sending a large body
        out.ascii("HTTP/1.1 100 Continue\r\n\r\n");
        out.flush();
      }
      byte[] data = new byte[(int) len];
      in.readFully(data, 0, data.length);
      server.bytesReceived.add(len);
      try {
        store.put(route.key(), data);
      } catch (IOException | RuntimeException e) {
        return answer(req, ServerAnswer.of(e), route, e, false);
      }
    } finally {
      server.bodyBudget.release(kib);
    }
    server.blobsReceived.increment();
    respond(204, "No Content", null, null, false, false);
    return true;
  }

  private boolean get(HttpHead req, BlobRoute route, BlobStore store) throws IOException {
    byte[] data;
    try {
      data = store.get(route.key());
    } catch (IOException | RuntimeException e) {
      return answer(req, ServerAnswer.of(e), route, e, false);
    }
    respond(200, "OK", "application/octet-stream", data, false, false);
    return true;
  }

  private boolean exists(HttpHead req, BlobRoute route, BlobStore store) throws IOException {
    boolean there;
    try {
      there = store.exists(route.key());
    } catch (IOException | RuntimeException e) {
      return answer(req, ServerAnswer.of(e), route, e, false);
    }
    if (there) respond(200, "OK", null, null, true, false);
    else respond(404, "Not Found", null, null, true, false);
    return true;
  }

  private boolean delete(HttpHead req, BlobRoute route, BlobStore store) throws IOException {
    try {
      store.delete(route.key());
    } catch (IOException | RuntimeException e) {
      return answer(req, ServerAnswer.of(e), route, e, false);
    }
    respond(204, "No Content", null, null, false, false);
    return true;
  }

  private boolean sync(HttpHead req, BlobRoute route, BlobStore store) throws IOException {
    try {
      store.sync();
    } catch (IOException | RuntimeException e) {
      return answer(req, ServerAnswer.of(e), route, e, false);
    }
    respond(204, "No Content", null, null, false, false);
    return true;
  }

  /** Streams {@code <key> <size> <mtime ms>} lines, then {@code .end <count>} (or {@code .error <code> <message>}). */
  private boolean list(HttpHead req, BlobRoute route, BlobStore store) throws IOException {
    Stream<BlobInfo> listing;
    try {
      listing = store.list(route.prefix());
    } catch (IOException | RuntimeException e) {
      return answer(req, ServerAnswer.of(e), route, e, false);
    }
    try (Stream<BlobInfo> s = listing) {
      out.ascii("HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=us-ascii\r\nTransfer-Encoding: chunked\r\n\r\n");
      ChunkedBodyOutput body = new ChunkedBodyOutput(out);
      long n = 0;
      String end;
      try {
        for (Iterator<BlobInfo> it = s.iterator(); it.hasNext(); n++) {
          BlobInfo b = it.next();
          body.ascii(b.key() + " " + b.size() + " " + b.modified().toEpochMilli() + "\n");
        }
        end = ".end " + n + "\n";
      } catch (RuntimeException e) {
        ServerAnswer a = ServerAnswer.of(e);
        log(route, e, a);
        end = ".error " + a.code() + " " + oneLine(a.message()) + "\n";
      }
      body.ascii(end);
      body.finish();
    }
    return true;
  }

  private boolean methodNotAllowed(HttpHead req, String allowed) throws IOException {
    boolean drained = dropBody(req);
    String json = ErrorBody.encode(Map.of("code", ErrorBody.BAD_REQUEST, "error", "method " + req.method + " is not allowed here (allowed: " + allowed + ")"));
    writeHead(405, "Method Not Allowed", "application/json", json.length(), !drained, "Allow: " + allowed);
    if (!req.method.equals("HEAD")) out.ascii(json);
    out.flush();
    return drained;
  }

  /** Reads and drops a request body we will not use; false if it cannot be (too large, chunked): close then. */
  private boolean dropBody(HttpHead req) throws IOException {
    if (req == null) return false;
    if (req.hasTransferEncoding()) return false;
    if (expectsContinue(req)) return false; // the client may or may not send the body now: start afresh
    long len = req.contentLength();
    if (len <= 0) return true;
    if (len > 4L * server.maxBlobBytes) return false;
    return skip(len);
  }

  private static boolean expectsContinue(HttpHead req) {
    return "100-continue".equalsIgnoreCase(req.field("expect")) && !req.http10;
  }

  private boolean skip(long len) throws IOException {
    in.skip(len);
    return true;
  }

  /** Writes an error response; returns false (close) if {@code close}. */
  private boolean answer(HttpHead req, ServerAnswer a, BlobRoute route, Throwable cause, boolean close) throws IOException {
    if (cause != null) log(route, cause, a);
    boolean head = req != null && "HEAD".equals(req.method);
    Map<String, String> fields = new LinkedHashMap<>();
    fields.put("code", a.code());
    fields.put("error", a.message());
    if (route != null && route.repository() != null) fields.put("repository", route.repository());
    if (route != null && route.key() != null) fields.put("key", route.key());
    fields.put("agent", self);
    byte[] json = ErrorBody.encode(fields).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    // the code and message also go in header fields, for answers to HEAD, which have no body
    writeHead(a.status(), a.reason(), "application/json", json.length, close, "Ferry-Error-Code: " + headerValue(a.code()) + "\r\nFerry-Error: " + headerValue(a.message()));
    if (!head) out.write(json, 0, json.length);
    out.flush();
    return !close;
  }

  private void log(BlobRoute route, Throwable e, ServerAnswer a) {
    System.Logger.Level level = a.status() >= 500 ? System.Logger.Level.WARNING : System.Logger.Level.DEBUG;
    LOG.log(level, () -> "agent " + peer + " (" + remote + "), repository " + (route == null ? "?" : route.repository()) + (route == null || route.key() == null ? "" : ", blob " + route.key())
        + ": " + a.status() + " " + a.message());
  }

  private void respond(int status, String reason, String contentType, byte[] body, boolean head, boolean close) throws IOException {
    writeHead(status, reason, contentType, body == null ? (status == 204 || head ? -1 : 0) : body.length, close, null);
    if (body != null && !head) out.write(body, 0, body.length);
    out.flush();
  }

  private void writeHead(int status, String reason, String contentType, long contentLength, boolean close, String extra) throws IOException {
    StringBuilder h = new StringBuilder(128).append("HTTP/1.1 ").append(status).append(' ').append(reason).append("\r\n");
    if (contentType != null) h.append("Content-Type: ").append(contentType).append("\r\n");
    if (contentLength >= 0) h.append("Content-Length: ").append(contentLength).append("\r\n");
    if (close) h.append("Connection: close\r\n");
    if (extra != null) h.append(extra).append("\r\n");
    out.ascii(h.append("\r\n").toString());
  }

  /** Printable ASCII on one line (header fields are ISO-8859-1; messages may hold any character). */
  static String headerValue(String s) {
    if (s == null) return "";
    StringBuilder b = new StringBuilder(Math.min(s.length(), 2000));
    for (int i = 0; i < s.length() && b.length() < 2000; i++) {
      char c = s.charAt(i);
      b.append(c == '\u2014' || c == '\u2013' ? '-' : c >= 0x20 && c < 0x7f ? c : c == '\n' || c == '\r' || c == '\t' ? ' ' : '?');
    }
    return b.toString();
  }

  private static String oneLine(String s) {
    return s == null ? "" : s.replace('\r', ' ').replace('\n', ' ');
  }
}
