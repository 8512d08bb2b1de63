package io.ferry.transport.blobs;

import io.ferry.repository.BlobStore;
import java.io.IOException;
import java.util.Optional;

/**
 * Which peer may use which repository on this agent. {@link BlobServer} asks for every request
 * (so a revoked pairing takes effect at once): keep it cheap, and return long-lived stores (the
 * server never closes them; one store per repository, shared by all connections, so that {@code
 * sync} covers every put).
 */
@FunctionalInterface
public interface BlobAccess {
  /**
   * The store of {@code repository} if agent {@code peerAgentId} (the CN of its verified client
   * certificate) may use it; empty to refuse (the peer gets 403 naming itself and the repository).
   */
  Optional<BlobStore> open(String peerAgentId, String repository) throws IOException;
}
