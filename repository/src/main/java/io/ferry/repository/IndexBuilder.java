package io.ferry.repository;

import java.io.IOException;

/** Builds a new disk index, copy-on-write from a parent index if one was given. */
public interface IndexBuilder {
  /** Sets chunk {@code chunkIndex} to {@code id}. Thread-safe; never does I/O. */
  void set(long chunkIndex, ChunkId id);

  /** Stores changed pages bottom-up (after their chunks) and returns the root. Call once, after every set. */
  IndexRef commit() throws IOException;
}
