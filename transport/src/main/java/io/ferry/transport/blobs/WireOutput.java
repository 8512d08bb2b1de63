package io.ferry.transport.blobs;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Buffered writing of an HTTP/1.1 byte stream: heads go through a small buffer, large bodies are
 * written from the caller's array in slices (each slice counts as progress for the {@link
 * Watchdog}). Not thread-safe.
 */
final class WireOutput {
  private static final int SLICE = 256 * 1024;
  private final OutputStream out;
  private final Progress progress;
  private final byte[] buf;
  private int pos;

  WireOutput(OutputStream out, int bufferSize, Progress progress) {
    this.out = out;
    this.progress = progress;
    this.buf = new byte[bufferSize];
  }

  void ascii(String s) throws IOException {
    byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
    write(b, 0, b.length);
  }

  void write(byte[] b, int off, int len) throws IOException {
    if (len <= buf.length - pos) {
      System.arraycopy(b, off, buf, pos, len);
      pos += len;
      return;
    }
    flushBuffer();
    if (len <= buf.length) {
      System.arraycopy(b, off, buf, 0, len);
      pos = len;
      return;
    }
    while (len > 0) {
      int n = Math.min(len, SLICE);
      out.write(b, off, n);
      progress.tick();
      off += n;
      len -= n;
    }
  }

  void flush() throws IOException {
    flushBuffer();
    out.flush();
  }

  private void flushBuffer() throws IOException {
    if (pos > 0) {
      out.write(buf, 0, pos);
      progress.tick();
      pos = 0;
    }
  }
}
