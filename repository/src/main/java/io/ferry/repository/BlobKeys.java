package io.ferry.repository;

/** The key layout of docs/formats.md §1. */
final class BlobKeys {
  static final String CONFIG = "config";
  static final String CHUNKS = "chunks/";
  static final String INDEX = "index/";
  static final String POINTS = "points/";

  private BlobKeys() {}

  static String chunk(ChunkId id) {
    String hex = id.hex();
    return CHUNKS + hex.substring(0, 2) + "/" + hex;
  }

  static String page(ChunkId id) {
    String hex = id.hex();
    return INDEX + hex.substring(0, 2) + "/" + hex;
  }

  static String point(String pointId) {
    return POINTS + pointId;
  }

  /** The id named by a chunk or page key, or null if the key is not one. */
  static ChunkId idOf(String key) {
    int slash = key.lastIndexOf('/');
    String hex = key.substring(slash + 1);
    if (hex.length() != 64) return null;
    try {
      return ChunkId.fromHex(hex);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
