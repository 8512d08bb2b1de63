package io.ferry.repository;

import java.time.Instant;

/** One stored blob as listed by a {@link BlobStore}: its key, size in bytes and last modification. */
public record BlobInfo(String key, long size, Instant modified) {}
