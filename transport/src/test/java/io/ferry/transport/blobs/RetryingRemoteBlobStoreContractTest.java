package io.ferry.transport.blobs;

import io.ferry.repository.BlobStore;

/** The same contract through the retry wrapper, as the source agent uses it. */
class RetryingRemoteBlobStoreContractTest extends RemoteBlobStoreContractTest {
  @Override
  BlobStore wrap(RemoteBlobStore remote) {
    return new RetryingBlobStore(remote);
  }
}
