package io.ferry.repository;

/** The blob type byte of a frame header (docs/formats.md §2). */
enum BlobType {
  CHUNK(1, "chunk"),
  INDEX_PAGE(2, "index page"),
  MANIFEST(3, "manifest");

  final int code;
  final String label;

  BlobType(int code, String label) {
    this.code = code;
    this.label = label;
  }

  static BlobType ofCode(int code) {
    for (BlobType t : values()) if (t.code == code) return t;
    return null;
  }
}
