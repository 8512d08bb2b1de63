package io.ferry.vault.store;

import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * Ids of stored objects: a kind prefix and 12 random hex digits (48 bits), e.g. {@code
 * site-3f9a1c2b07de}. The store generates them on insert; callers that need an id before the
 * row exists (a host id in its certificate) take one from {@link #newId}.
 */
public final class Ids {
  private static final SecureRandom RANDOM = new SecureRandom();

  private Ids() {}

  /** A new id with this prefix, e.g. {@code newId("host")} → {@code host-5be0c1a9d2f4}. */
  public static String newId(String prefix) {
    byte[] bytes = new byte[6];
    RANDOM.nextBytes(bytes);
    return prefix + "-" + HexFormat.of().formatHex(bytes);
  }

  /** The given id, or a new one when it is null or blank. */
  static String orNew(String id, String prefix) {
    return id == null || id.isBlank() ? newId(prefix) : id;
  }
}
