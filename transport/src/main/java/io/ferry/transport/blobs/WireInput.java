package io.ferry.transport.blobs;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Buffered reading of an HTTP/1.1 byte stream: CRLF-terminated ASCII lines and exact-length bodies
 * (large bodies go from the socket straight into the caller's array). Not thread-safe: one
 * exchange at a time per connection.
 */
final class WireInput {
  private final InputStream in;
  private final Progress progress;
  private final byte[] buf;
  private int pos;
  private int limit;

  WireInput(InputStream in, int bufferSize, Progress progress) {
    this.in = in;
    this.progress = progress;
    this.buf = new byte[bufferSize];
  }

  /** False if the stream ended before any byte (a peer closing an idle connection). */
  boolean hasMore() throws IOException {
    return pos < limit || fill() > 0;
  }

  /**
   * The next line without its CRLF (a bare LF is accepted), as ISO-8859-1; null at end of stream
   * before any byte. A line longer than {@code max} is an error.
   */
  String readLine(int max) throws IOException {
    StringBuilder b = null;
    while (true) {
      if (pos == limit && fill() <= 0) {
        if (b == null) return null;
        throw new EOFException("stream ended inside a line");
      }
      int start = pos;
      while (pos < limit && buf[pos] != '\n') pos++;
      int end = pos;
      boolean complete = pos < limit;
      if (complete) pos++; // consume '\n'
      int n = end - start;
      if ((b == null ? 0 : b.length()) + n > max) throw new WireFormatException("line longer than " + max + " bytes");
      if (b == null && complete) return trimCr(new String(buf, start, n, StandardCharsets.ISO_8859_1));
      if (b == null) b = new StringBuilder();
      b.append(new String(buf, start, n, StandardCharsets.ISO_8859_1));
      if (complete) return trimCr(b.toString());
    }
  }

  private static String trimCr(String s) {
    return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
  }

  void readFully(byte[] dst, int off, int len) throws IOException {
    int buffered = Math.min(len, limit - pos);
    System.arraycopy(buf, pos, dst, off, buffered);
    pos += buffered;
    off += buffered;
    len -= buffered;
    while (len > 0) {
      int n = len >= buf.length ? in.read(dst, off, len) : fillAndCopy(dst, off, len);
      if (n < 0) throw new EOFException("stream ended " + len + " bytes before the end of the body");
      progress.tick();
      off += n;
      len -= n;
    }
  }

  private int fillAndCopy(byte[] dst, int off, int len) throws IOException {
    if (fill() <= 0) return -1;
    int n = Math.min(len, limit - pos);
    System.arraycopy(buf, pos, dst, off, n);
    pos += n;
    return n;
  }

  /** Reads up to {@code len} bytes (at least one, or -1 at end of stream). */
  int read(byte[] dst, int off, int len) throws IOException {
    if (len == 0) return 0;
    if (pos == limit) {
      if (len >= buf.length) {
        int n = in.read(dst, off, len);
        if (n > 0) progress.tick();
        return n;
      }
      if (fill() <= 0) return -1;
    }
    int n = Math.min(len, limit - pos);
    System.arraycopy(buf, pos, dst, off, n);
    pos += n;
    return n;
  }

  /** Reads and drops {@code len} bytes. */
  void skip(long len) throws IOException {
    while (len > 0) {
      if (pos == limit && fill() <= 0) throw new EOFException("stream ended " + len + " bytes before the end of the body");
      int n = (int) Math.min(len, limit - pos);
      pos += n;
      len -= n;
    }
  }

  private int fill() throws IOException {
    pos = 0;
    limit = 0;
    int n = in.read(buf, 0, buf.length);
    if (n > 0) {
      limit = n;
      progress.tick();
    }
    return n;
  }
}
