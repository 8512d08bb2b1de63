package io.ferry.transport.blobs;

import java.io.IOException;

/** Bytes on the data channel that are not the HTTP/1.1 subset it speaks (docs/formats.md, "Replication data channel"). */
final class WireFormatException extends IOException {
  WireFormatException(String message) {
    super(message);
  }
}
