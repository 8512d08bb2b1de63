package io.ferry.transport.blobs;

import java.io.IOException;
import java.net.Socket;
import javax.net.ssl.SSLSocket;

/**
 * One TLS connection of a {@link RemoteBlobStore} to a {@link BlobServer}, used by one call at a
 * time. Closing closes the TCP socket under the TLS layer: {@code SSLSocket.close()} would wait for
 * a writer blocked on a peer that stopped reading, and the channel's messages are length-framed,
 * so no close_notify is needed.
 */
final class PeerConnection {
  final Socket plain;
  final SSLSocket socket;
  final WireInput in;
  final WireOutput out;
  final Progress progress = new Progress();
  final long timeoutNanos;
  /** The peer's agent id, as it said in its hello. */
  String peerAgent = "?";
  /** Served an earlier call (a keep-alive connection the peer may have closed meanwhile). */
  boolean reused;
  long idleSinceNanos;
  private volatile String abortReason;
  private volatile boolean closed;

  PeerConnection(Socket plain, SSLSocket socket, long timeoutNanos) throws IOException {
    this.plain = plain;
    this.socket = socket;
    this.timeoutNanos = timeoutNanos;
    this.in = new WireInput(socket.getInputStream(), 64 * 1024, progress);
    this.out = new WireOutput(socket.getOutputStream(), 8 * 1024, progress);
  }

  /** Why the watchdog closed this connection, or null. */
  String abortReason() {
    return abortReason;
  }

  void abort(String reason) {
    abortReason = reason;
    close();
  }

  void close() {
    closed = true;
    try {
      plain.close();
    } catch (IOException ignored) {
      // already broken
    }
  }

  boolean isClosed() {
    return closed || plain.isClosed();
  }
}
