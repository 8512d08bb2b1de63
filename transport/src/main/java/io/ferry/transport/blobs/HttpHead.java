package io.ferry.transport.blobs;

import java.io.IOException;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The start line and header fields of one HTTP/1.1 request or response, as the data channel reads
 * them: names lowercased, at most {@value #MAX_FIELDS} fields of at most {@value #MAX_LINE} bytes.
 */
final class HttpHead {
  static final int MAX_LINE = 8192;
  static final int MAX_FIELDS = 64;

  final String startLine;
  final String method; // requests
  final String target; // requests
  final int status; // responses
  final boolean http10;
  private final Map<String, String> fields;

  private HttpHead(String startLine, String method, String target, int status, boolean http10, Map<String, String> fields) {
    this.startLine = startLine;
    this.method = method;
    this.target = target;
    this.status = status;
    this.http10 = http10;
    this.fields = fields;
  }

  /** The next request on a connection; null if the peer closed it before sending one. */
  static HttpHead readRequest(WireInput in) throws IOException {
    String line;
    do {
      line = in.readLine(MAX_LINE);
      if (line == null) return null;
    } while (line.isEmpty()); // RFC 9112 §2.2: ignore empty lines before a request
    String[] parts = line.split(" ", -1);
    if (parts.length != 3 || parts[0].isEmpty() || parts[1].isEmpty() || !parts[2].startsWith("HTTP/1."))
      throw new WireFormatException("malformed request line '" + abbreviate(line) + "'");
    return new HttpHead(line, parts[0], parts[1], 0, parts[2].equals("HTTP/1.0"), readFields(in));
  }

  /** The response head; null if the peer closed the connection before answering. */
  static HttpHead readResponse(WireInput in) throws IOException {
    String line = in.readLine(MAX_LINE);
    if (line == null) return null;
    if (!line.startsWith("HTTP/1.") || line.length() < 12 || line.charAt(8) != ' ')
      throw new WireFormatException("malformed status line '" + abbreviate(line) + "' (is this port a Ferry data port?)");
    int status;
    try {
      status = Integer.parseInt(line.substring(9, 12));
    } catch (NumberFormatException e) {
      throw new WireFormatException("malformed status line '" + abbreviate(line) + "'");
    }
    return new HttpHead(line, null, null, status, line.startsWith("HTTP/1.0"), readFields(in));
  }

  private static Map<String, String> readFields(WireInput in) throws IOException {
    Map<String, String> fields = new HashMap<>();
    for (int n = 0;; n++) {
      String line = in.readLine(MAX_LINE);
      if (line == null) throw new WireFormatException("connection closed inside a message head");
      if (line.isEmpty()) return fields;
      if (n >= MAX_FIELDS) throw new WireFormatException("more than " + MAX_FIELDS + " header fields");
      int colon = line.indexOf(':');
      if (colon <= 0 || line.charAt(0) == ' ' || line.charAt(0) == '\t') throw new WireFormatException("malformed header field '" + abbreviate(line) + "'");
      String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
      String value = line.substring(colon + 1).trim();
      String previous = fields.putIfAbsent(name, value);
      if (previous != null) {
        if (name.equals("content-length") && !previous.equals(value)) throw new WireFormatException("conflicting Content-Length fields");
        fields.put(name, previous + ", " + value);
      }
    }
  }

  String field(String lowercaseName) {
    return fields.get(lowercaseName);
  }

  /** The declared body length, or -1 if there is no Content-Length field. */
  long contentLength() throws WireFormatException {
    String v = fields.get("content-length");
    if (v == null) return -1;
    try {
      long n = Long.parseLong(v);
      if (n < 0) throw new NumberFormatException();
      return n;
    } catch (NumberFormatException e) {
      throw new WireFormatException("invalid Content-Length '" + abbreviate(v) + "'");
    }
  }

  boolean chunked() {
    String te = fields.get("transfer-encoding");
    return te != null && te.toLowerCase(Locale.ROOT).contains("chunked");
  }

  boolean hasTransferEncoding() {
    return fields.containsKey("transfer-encoding");
  }

  /** True if the sender will not (HTTP/1.0, {@code Connection: close}) keep the connection open. */
  boolean closes() {
    String c = fields.get("connection");
    if (c != null) {
      String l = c.toLowerCase(Locale.ROOT);
      if (l.contains("close")) return true;
      if (l.contains("keep-alive")) return false;
    }
    return http10;
  }

  static String abbreviate(String s) {
    String clean = s.replaceAll("[^\\x20-\\x7e]", "?");
    return clean.length() <= 120 ? clean : clean.substring(0, 117) + "...";
  }
}
