package io.ferry.repository;

/**
 * Counters since the repository was opened. {@code chunksWritten}/{@code chunkBytesStored}/{@code
 * chunkPlainBytesWritten} count chunks actually stored; {@code chunksDeduplicated} those already
 * present; {@code zeroChunks} all-zero chunks skipped; pages likewise.
 */
public record RepositoryStats(long chunksWritten, long chunksDeduplicated, long zeroChunks, long chunkBytesStored, long chunkPlainBytesWritten, long pagesWritten, long pageBytesStored) {}
