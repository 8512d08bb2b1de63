package io.ferry.repository;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Path;

/** Turns file-system errors into repository errors that name the path, the operation and a hint. */
final class StoreErrors {
  private StoreErrors() {}

  static RepositoryException translate(IOException e, String operation, String key, Path path, boolean writing) {
    if (e instanceof RepositoryException r) return r;
    String reason = e instanceof FileSystemException f && f.getReason() != null ? f.getReason() : String.valueOf(e.getMessage());
    Path dir = path.getParent() == null ? path : path.getParent();
    String what = "cannot " + operation + " " + key + " (" + path + ")";
    if (reason.contains("No space left on device") || reason.contains("Disk quota exceeded"))
      return new RepositoryFullException(what + ": the filesystem of " + dir + " is full (" + reason + ")",
          "filesystem of " + dir + " is full; free space or run `ferry repo gc`", e);
    if (reason.contains("Read-only file system"))
      return new RepositoryException(what + ": " + dir + " is not writable (read-only file system)",
          "remount the filesystem of " + dir + " read-write, or use a writable repository location", e);
    if (e instanceof AccessDeniedException || reason.contains("Permission denied") || reason.contains("Operation not permitted"))
      return new RepositoryException(what + ": " + dir + " is not " + (writing ? "writable" : "readable") + " (" + reason + ")",
          "check ownership/mode of " + dir + " (and `lsattr` for the immutable flag)", e);
    return new RepositoryException(what + ": " + e, "check the filesystem of " + dir + " (df, dmesg)", e);
  }
}
