package io.ferry.repository;

import java.io.IOException;
import java.util.stream.LongStream;

/** A disk's chunk map at one recovery point: chunk number → chunk id (docs/formats.md §4). */
public interface DiskIndex {
  long diskSize();

  int chunkSize();

  /** ⌈diskSize / chunkSize⌉. */
  long chunkCount();

  /** The id of chunk {@code i} (0 ≤ i < chunkCount), {@link ChunkId#ZERO} for zeros. */
  ChunkId chunk(long i) throws IOException;

  IndexRef ref();

  /**
   * Chunk numbers, ascending, whose ids differ between this index and {@code other}. Sizes may
   * differ: beyond the shorter disk every non-ZERO chunk differs. Equal subtrees are skipped.
   */
  LongStream differingChunks(DiskIndex other) throws IOException;
}
