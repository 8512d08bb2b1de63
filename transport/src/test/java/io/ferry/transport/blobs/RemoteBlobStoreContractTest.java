package io.ferry.transport.blobs;

import io.ferry.repository.BlobStore;
import io.ferry.repository.BlobStoreContract;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/** The repository's BlobStore contract, run against RemoteBlobStore → BlobServer (mutual TLS, loopback) → LocalDirectoryStore. */
class RemoteBlobStoreContractTest extends BlobStoreContract {
  @TempDir Path dir;
  DataChannel channel;

  BlobStore wrap(RemoteBlobStore remote) {
    return remote;
  }

  @Override
  protected BlobStore newStore() throws IOException {
    channel = new DataChannel(dir);
    return wrap(channel.client());
  }

  @Override
  protected BlobStore reopen() throws IOException {
    return wrap(channel.client());
  }

  @AfterEach
  void stopServer() throws IOException {
    channel.close();
  }
}
