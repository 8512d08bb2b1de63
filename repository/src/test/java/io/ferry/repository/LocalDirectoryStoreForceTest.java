package io.ferry.repository;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The contract suite on a local directory whose batches are made durable by fsync of each file ({@code ferry.store.durability=force}). */
class LocalDirectoryStoreForceTest extends BlobStoreContract {
  @TempDir Path dir;

  @Override
  protected BlobStore newStore() {
    return new LocalDirectoryStore(dir.resolve("repo"), BatchFlusher.Limits.DEFAULT, BatchFlusher.Durability.FORCE);
  }

  @Override
  protected BlobStore reopen() {
    return new LocalDirectoryStore(dir.resolve("repo"), BatchFlusher.Limits.DEFAULT, BatchFlusher.Durability.FORCE);
  }
}
