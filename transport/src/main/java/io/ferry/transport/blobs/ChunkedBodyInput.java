package io.ferry.transport.blobs;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/**
 * The decoded bytes of a {@code Transfer-Encoding: chunked} body (RFC 9112 §7.1); ends after the
 * last chunk and its (ignored) trailer fields. {@link #complete()} tells whether the body ended
 * properly, so the connection can be reused.
 */
final class ChunkedBodyInput extends InputStream {
  private final WireInput in;
  private long remaining; // in the current chunk
  private boolean done;

  ChunkedBodyInput(WireInput in) {
    this.in = in;
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (done) return -1;
    if (len == 0) return 0;
    if (remaining == 0) {
      remaining = nextChunkSize();
      if (remaining == 0) {
        while (true) { // trailer fields up to the empty line
          String t = in.readLine(HttpHead.MAX_LINE);
          if (t == null) throw new EOFException("stream ended in the trailer of a chunked body");
          if (t.isEmpty()) break;
        }
        done = true;
        return -1;
      }
    }
    int n = in.read(b, off, (int) Math.min(len, remaining));
    if (n < 0) throw new EOFException("stream ended inside a chunk (" + remaining + " bytes missing)");
    remaining -= n;
    if (remaining == 0) {
      String crlf = in.readLine(2);
      if (crlf == null || !crlf.isEmpty()) throw new WireFormatException("chunk not followed by CRLF");
    }
    return n;
  }

  private long nextChunkSize() throws IOException {
    String line = in.readLine(HttpHead.MAX_LINE);
    if (line == null) throw new EOFException("stream ended before the last chunk of a chunked body");
    int semi = line.indexOf(';');
    String hex = (semi < 0 ? line : line.substring(0, semi)).trim();
    try {
      long n = Long.parseLong(hex, 16);
      if (n < 0 || hex.length() > 12) throw new NumberFormatException();
      return n;
    } catch (NumberFormatException e) {
      throw new WireFormatException("invalid chunk size '" + HttpHead.abbreviate(line) + "'");
    }
  }

  boolean complete() {
    return done;
  }
}
