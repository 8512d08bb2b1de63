package io.ferry.transport.blobs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** Writes a {@code Transfer-Encoding: chunked} body in chunks of up to 64 KiB (RFC 9112 §7.1). */
final class ChunkedBodyOutput {
  private final WireOutput out;
  private final byte[] buf = new byte[64 * 1024];
  private int pos;

  ChunkedBodyOutput(WireOutput out) {
    this.out = out;
  }

  void ascii(String s) throws IOException {
    byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
    if (b.length > buf.length - pos) flushChunk();
    if (b.length > buf.length) {
      writeChunk(b, b.length);
      return;
    }
    System.arraycopy(b, 0, buf, pos, b.length);
    pos += b.length;
  }

  /** Sends what is buffered as one chunk and flushes the connection (the reader sees progress). */
  void flushChunk() throws IOException {
    if (pos == 0) return;
    writeChunk(buf, pos);
    pos = 0;
    out.flush();
  }

  private void writeChunk(byte[] b, int len) throws IOException {
    out.ascii(Integer.toHexString(len) + "\r\n");
    out.write(b, 0, len);
    out.ascii("\r\n");
  }

  /** The last chunk; the body is complete. */
  void finish() throws IOException {
    flushChunk();
    out.ascii("0\r\n\r\n");
    out.flush();
  }
}
