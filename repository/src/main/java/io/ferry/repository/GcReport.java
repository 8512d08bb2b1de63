package io.ferry.repository;

/**
 * What {@link Repository#gc} did: points and blobs marked, unreferenced blobs deleted (and bytes
 * freed), unreferenced blobs kept because they are younger than the grace period, stale temporary
 * files removed.
 */
public record GcReport(int pointsMarked, long pagesReferenced, long chunksReferenced, long blobsDeleted, long bytesFreed, long unreferencedWithinGrace, long temporariesDeleted, long temporaryBytesFreed) {}
