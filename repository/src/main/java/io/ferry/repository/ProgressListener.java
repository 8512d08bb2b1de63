package io.ferry.repository;

/** Receives progress of a long repository operation; called from the operation's thread(s). */
@FunctionalInterface
public interface ProgressListener {
  ProgressListener NONE = (phase, done, total) -> {};

  /** {@code done} of {@code total} units (total -1 if unknown) in the named phase. */
  void progress(String phase, long done, long total);
}
