package io.ferry.transport.blobs;

import io.ferry.repository.BlobStore;
import io.ferry.repository.LocalDirectoryStore;
import io.ferry.transport.tls.CertificateAuthority;
import io.ferry.transport.tls.CertificateRequest;
import io.ferry.transport.tls.Tls;
import io.ferry.transport.tls.TlsIdentity;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLContext;

/**
 * Two agents and their data channel on loopback, as the agents would set it up: a CA, a recovery
 * agent serving {@code pair-1} (a {@link LocalDirectoryStore} under {@code dir}) to {@code
 * agent-source} only, and clients for any agent id.
 */
final class DataChannel implements AutoCloseable {
  static final String RECOVERY = "agent-recovery";
  static final String SOURCE = "agent-source";
  static final String REPO = "pair-1";

  final Path dir;
  final CertificateAuthority ca;
  final TlsIdentity recoveryIdentity;
  final Map<String, LocalDirectoryStore> stores = new ConcurrentHashMap<>();
  BlobServer server;

  DataChannel(Path dir) throws IOException {
    this(dir, BlobServer.DEFAULT_MAX_BLOB_BYTES);
  }

  DataChannel(Path dir, int maxBlobBytes) throws IOException {
    this.dir = dir;
    this.ca = CertificateAuthority.createOrLoad(dir.resolve("ca"), "Ferry test CA");
    this.recoveryIdentity = identity(RECOVERY);
    this.server = start(0, maxBlobBytes);
  }

  BlobServer start(int port, int maxBlobBytes) throws IOException {
    return BlobServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), Tls.server(recoveryIdentity, ca.certificate()), this::access, maxBlobBytes);
  }

  /** What the recovery agent allows: agent-source may use pair-1. */
  Optional<BlobStore> access(String peer, String repository) {
    if (!peer.equals(SOURCE) || !repository.equals(REPO)) return Optional.empty();
    return Optional.of(store(repository));
  }

  LocalDirectoryStore store(String repository) {
    return stores.computeIfAbsent(repository, r -> new LocalDirectoryStore(storeDir(r)));
  }

  Path storeDir(String repository) {
    return dir.resolve("recovery").resolve(repository);
  }

  TlsIdentity identity(String agentId) throws IOException {
    CertificateRequest req = CertificateRequest.generate(agentId);
    return req.identity(ca.signAgent(req.csrPem(), agentId, Duration.ofDays(1)), ca.certificate());
  }

  SSLContext clientContext(String agentId) throws IOException {
    return Tls.clientForPeer(identity(agentId), ca.certificate(), RECOVERY);
  }

  URI base() {
    return URI.create("https://127.0.0.1:" + server.port());
  }

  RemoteBlobStore client(String agentId, String repository, Duration timeout) throws IOException {
    return new RemoteBlobStore(base(), repository, clientContext(agentId), timeout);
  }

  RemoteBlobStore client() throws IOException {
    return client(SOURCE, REPO, Duration.ofSeconds(10));
  }

  @Override
  public void close() throws IOException {
    server.close();
    for (LocalDirectoryStore s : stores.values()) {
      try {
        s.close();
      } catch (IOException ignored) {
        // a full test filesystem may refuse the last sync
      }
    }
  }
}
