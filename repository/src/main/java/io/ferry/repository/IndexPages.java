package io.ferry.repository;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Reads and writes index pages as blobs of the repository, with a small cache of decoded pages
 * (pages are immutable, so a cached page is shared read-only; writers copy it first).
 */
final class IndexPages {
  private static final int CACHE_PAGES = 256;

  final BlobStore store;
  final BlobCodec codec;
  final ContentHasher hasher;
  final int fanout;
  final int chunkSize;
  final String repository;
  final LongAdder pagesWritten = new LongAdder();
  final LongAdder pageBytesStored = new LongAdder();
  private final Map<ChunkId, IndexPage> cache = new LinkedHashMap<>(CACHE_PAGES * 2, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<ChunkId, IndexPage> eldest) {
      return size() > CACHE_PAGES;
    }
  };

  IndexPages(BlobStore store, BlobCodec codec, ContentHasher hasher, int fanout, int chunkSize, String repository) {
    this.store = store;
    this.codec = codec;
    this.hasher = hasher;
    this.fanout = fanout;
    this.chunkSize = chunkSize;
    this.repository = repository;
  }

  /** The page {@code id} at {@code level}, verified (frame checks and recomputed id). Do not modify it. */
  IndexPage read(ChunkId id, int level) throws IOException {
    synchronized (cache) {
      IndexPage p = cache.get(id);
      if (p != null && p.level == level) return p;
    }
    IndexPage p = readUncached(id, level);
    synchronized (cache) {
      cache.put(id, p);
    }
    return p;
  }

  /** Reads from the store, bypassing the cache (verify). */
  IndexPage readUncached(ChunkId id, int level) throws IOException {
    String key = BlobKeys.page(id);
    byte[] stored;
    try {
      stored = store.get(key);
    } catch (NoSuchBlobException e) {
      throw new MissingBlobException(key, "index page " + key + " (level " + level + ") is missing from repository " + repository,
          "run `ferry repo verify` to see which points are affected; they cannot be restored completely");
    }
    byte[] content = codec.decode(BlobType.INDEX_PAGE, id.bytes(), key, stored, IndexPage.maxEncodedLength(fanout));
    ChunkId actual = hasher.hash(content);
    if (!actual.equals(id)) throw new CorruptBlobException(repository, key, "content does not match its id (recomputed " + actual + ")", BlobFrameReader.CORRUPT_HINT);
    String problem = IndexPage.problem(content, level, fanout);
    if (problem != null) throw new CorruptBlobException(repository, key, problem, BlobFrameReader.CORRUPT_HINT);
    return IndexPage.decode(content, level, fanout);
  }

  /** Stores {@code page} unless it is ZERO or already present; returns its id. */
  ChunkId write(IndexPage page) throws IOException {
    if (page.isZero()) return ChunkId.ZERO;
    byte[] content = page.encode();
    ChunkId id = hasher.hash(content);
    String key = BlobKeys.page(id);
    if (!store.exists(key)) {
      byte[] frame = codec.encode(BlobType.INDEX_PAGE, id.bytes(), ByteBuffer.wrap(content));
      store.put(key, frame);
      pagesWritten.increment();
      pageBytesStored.add(frame.length);
    }
    return id;
  }
}
