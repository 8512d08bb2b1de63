package io.ferry.transport.blobs;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The JSON body of an error response on the data channel: a flat object of strings, {@code
 * {"code":"repository-full","error":"…","repository":"pair-1","key":"chunks/ab/…"}}. Written and
 * read here without a JSON library (the channel's only JSON).
 */
final class ErrorBody {
  static final String FORBIDDEN = "forbidden";
  static final String NO_SUCH_BLOB = "no-such-blob";
  static final String BAD_REQUEST = "bad-request";
  static final String TOO_LARGE = "too-large";
  static final String REPOSITORY_FULL = "repository-full";
  static final String REPOSITORY_ERROR = "repository-error";
  static final String UNAVAILABLE = "unavailable";
  static final String INTERNAL = "internal";

  private ErrorBody() {}

  static String encode(Map<String, String> fields) {
    StringBuilder b = new StringBuilder("{");
    for (Map.Entry<String, String> e : fields.entrySet()) {
      if (e.getValue() == null) continue;
      if (b.length() > 1) b.append(',');
      quote(b, e.getKey());
      b.append(':');
      quote(b, e.getValue());
    }
    return b.append("}\n").toString();
  }

  /** The string members of a flat JSON object; anything unparsable yields what was read so far (the caller falls back to the raw text). */
  static Map<String, String> decode(String json) {
    Map<String, String> out = new LinkedHashMap<>();
    int[] pos = {skip(json, 0)};
    if (pos[0] >= json.length() || json.charAt(pos[0]) != '{') return out;
    pos[0]++;
    while (true) {
      pos[0] = skip(json, pos[0]);
      if (pos[0] >= json.length() || json.charAt(pos[0]) != '"') return out;
      String key = string(json, pos);
      pos[0] = skip(json, pos[0]);
      if (key == null || pos[0] >= json.length() || json.charAt(pos[0]) != ':') return out;
      pos[0] = skip(json, pos[0] + 1);
      if (pos[0] >= json.length() || json.charAt(pos[0]) != '"') return out;
      String value = string(json, pos);
      if (value == null) return out;
      out.put(key, value);
      pos[0] = skip(json, pos[0]);
      if (pos[0] >= json.length() || json.charAt(pos[0]) != ',') return out;
      pos[0]++;
    }
  }

  private static int skip(String s, int i) {
    while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++;
    return i;
  }

  /** Reads the string starting at the quote at {@code pos[0]}; leaves {@code pos[0]} after the closing quote. */
  private static String string(String s, int[] pos) {
    StringBuilder b = new StringBuilder();
    int i = pos[0] + 1;
    while (i < s.length()) {
      char c = s.charAt(i++);
      if (c == '"') {
        pos[0] = i;
        return b.toString();
      }
      if (c != '\\') {
        b.append(c);
        continue;
      }
      if (i >= s.length()) return null;
      char e = s.charAt(i++);
      switch (e) {
        case 'n' -> b.append('\n');
        case 't' -> b.append('\t');
        case 'r' -> b.append('\r');
        case 'b' -> b.append('\b');
        case 'f' -> b.append('\f');
        case 'u' -> {
          if (i + 4 > s.length()) return null;
          try {
            b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
          } catch (NumberFormatException x) {
            return null;
          }
          i += 4;
        }
        default -> b.append(e); // \" \\ \/
      }
    }
    return null;
  }

  private static void quote(StringBuilder b, String s) {
    b.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
          else b.append(c);
        }
      }
    }
    b.append('"');
  }
}
