package io.ferry.nbd;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ReadableByteChannel;

/**
 * Buffered big-endian reader over a blocking channel. Small fields come out of a
 * direct buffer filled with as few system calls as possible; large payloads are read
 * straight into the caller's array. Used by the client for replies and by the server
 * for requests; one thread at a time.
 */
final class WireReader {
    private final ReadableByteChannel channel;
    private final ByteBuffer buf;
    /** Nanotime of the last successful read; the client's watchdog watches it. */
    volatile long lastReceiveNanos = System.nanoTime();
    private long bytesReceived;

    WireReader(ReadableByteChannel channel, int capacity) {
        this.channel = channel;
        this.buf = ByteBuffer.allocateDirect(capacity).order(ByteOrder.BIG_ENDIAN);
        buf.limit(0);
    }

    /** Ensures at least {@code n} (at most the buffer capacity) bytes are buffered. */
    void need(int n) throws IOException {
        if (buf.remaining() >= n) {
            return;
        }
        buf.compact();
        try {
            while (buf.position() < n) {
                fill(buf);
            }
        } finally {
            buf.flip();
        }
    }

    private void fill(ByteBuffer into) throws IOException {
        int r = channel.read(into);
        if (r < 0) {
            throw new EOFException("end of stream");
        }
        if (r > 0) {
            bytesReceived += r;
            lastReceiveNanos = System.nanoTime();
        }
    }

    /** Bytes buffered and not yet consumed. */
    int buffered() {
        return buf.remaining();
    }

    long bytesReceived() {
        return bytesReceived;
    }

    int u8() throws IOException {
        need(1);
        return buf.get() & 0xff;
    }

    int u16() throws IOException {
        need(2);
        return buf.getShort() & 0xffff;
    }

    int i32() throws IOException {
        need(4);
        return buf.getInt();
    }

    long u32() throws IOException {
        return i32() & 0xffffffffL;
    }

    long i64() throws IOException {
        need(8);
        return buf.getLong();
    }

    /** Reads exactly {@code len} bytes into {@code dst[off..off+len)}. */
    void readFully(byte[] dst, int off, int len) throws IOException {
        int fromBuf = Math.min(len, buf.remaining());
        buf.get(dst, off, fromBuf);
        off += fromBuf;
        len -= fromBuf;
        if (len == 0) {
            return;
        }
        if (len >= buf.capacity() / 2) {
            ByteBuffer target = ByteBuffer.wrap(dst, off, len);
            while (target.hasRemaining()) {
                fill(target);
            }
        } else {
            need(len);
            buf.get(dst, off, len);
        }
    }

    /** Reads exactly {@code len} bytes into a new array. */
    byte[] bytes(int len) throws IOException {
        byte[] b = new byte[len];
        readFully(b, 0, len);
        return b;
    }

    /** Reads a UTF-8 string of {@code len} bytes. */
    String string(int len) throws IOException {
        return new String(bytes(len), java.nio.charset.StandardCharsets.UTF_8);
    }

    /** Discards {@code n} bytes. */
    void skip(long n) throws IOException {
        while (n > 0) {
            if (buf.remaining() == 0) {
                need(1);
            }
            int k = (int) Math.min(n, buf.remaining());
            buf.position(buf.position() + k);
            n -= k;
        }
    }
}
