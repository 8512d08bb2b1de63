package io.ferry.transport.blobs;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/** A response read whole from a {@link BlobServer}: status, head and body. */
record PeerResponse(int status, HttpHead head, byte[] body) {
  /** The server's error fields (code, error, …), or just {@code error} = the body text if it is not the JSON error object. */
  Map<String, String> error() {
    String text = body == null ? "" : new String(body, StandardCharsets.UTF_8);
    Map<String, String> m = ErrorBody.decode(text);
    if (m.containsKey("error")) return m;
    if (head != null && head.field("ferry-error") != null) // answers to HEAD carry the error in header fields
      return Map.of("error", head.field("ferry-error"), "code", String.valueOf(head.field("ferry-error-code")));
    return Map.of("error", text.isBlank() ? (head == null ? "" : head.startLine) : HttpHead.abbreviate(text.strip()));
  }

  String code() {
    return error().getOrDefault("code", "");
  }
}
