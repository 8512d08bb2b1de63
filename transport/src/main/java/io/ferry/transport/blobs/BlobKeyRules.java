package io.ferry.transport.blobs;

import java.util.regex.Pattern;

/**
 * The key rules of {@link io.ferry.repository.BlobStore} (docs/formats.md §1), checked on both ends
 * of the data channel: keys are {@code /}-separated segments of {@code [A-Za-z0-9][A-Za-z0-9._-]*},
 * at most 1024 characters, so no {@code ..}, no absolute path, nothing to percent-encode.
 * Repository names are one such segment of at most 128 characters.
 */
final class BlobKeyRules {
  static final int MAX_KEY_LENGTH = 1024;
  private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
  private static final Pattern REPOSITORY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

  private BlobKeyRules() {}

  static boolean isValidKey(String key) {
    if (key == null || key.isEmpty() || key.length() > MAX_KEY_LENGTH) return false;
    for (String s : key.split("/", -1)) if (!SEGMENT.matcher(s).matches()) return false;
    return true;
  }

  /** A list prefix: empty, or whole segments each followed by {@code /}, optionally ending with the start of a segment. */
  static boolean isValidPrefix(String prefix) {
    if (prefix == null || prefix.length() > MAX_KEY_LENGTH) return false;
    if (prefix.isEmpty()) return true;
    String[] parts = prefix.split("/", -1);
    for (int i = 0; i < parts.length; i++) {
      boolean last = i == parts.length - 1;
      if (last && parts[i].isEmpty()) continue; // ends with '/'
      if (!SEGMENT.matcher(parts[i]).matches()) return false;
    }
    return true;
  }

  static boolean isValidRepository(String name) {
    return name != null && REPOSITORY.matcher(name).matches();
  }

  static String requireKey(String key) {
    if (!isValidKey(key)) throw new IllegalArgumentException("invalid blob key '" + key + "' (segments of [A-Za-z0-9][A-Za-z0-9._-]*, separated by /)");
    return key;
  }

  static String requirePrefix(String prefix) {
    if (!isValidPrefix(prefix)) throw new IllegalArgumentException("invalid list prefix '" + prefix + "' (the start of a blob key)");
    return prefix;
  }

  static String requireRepository(String name) {
    if (!isValidRepository(name))
      throw new IllegalArgumentException("invalid repository name '" + name + "' (1-128 of letters, digits, '.', '_', '-', starting with a letter or digit)");
    return name;
  }
}
