package io.ferry.repository;

import java.io.IOException;

/** A {@link BlobStore} has no blob under the requested key. */
public class NoSuchBlobException extends IOException {
  private final String key;

  public NoSuchBlobException(String key, String location) {
    super("no blob " + key + " in " + location);
    this.key = key;
  }

  public String key() {
    return key;
  }
}
