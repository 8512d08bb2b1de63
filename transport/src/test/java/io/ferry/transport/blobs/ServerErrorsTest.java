package io.ferry.transport.blobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferry.repository.BlobInfo;
import io.ferry.repository.BlobStore;
import io.ferry.repository.RepositoryException;
import io.ferry.repository.RepositoryFullException;
import io.ferry.transport.tls.Tls;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a store failing on the recovery agent looks like on the source agent. */
class ServerErrorsTest {
  @TempDir Path dir;
  DataChannel channel;
  BlobServer server;
  RemoteBlobStore remote;

  /** Fails every operation the way a store on a full disk, or a broken one, would. */
  static final class FailingStore implements BlobStore {
    @Override
    public void put(String key, byte[] data) throws IOException {
      throw new IOException("write " + key + ": No space left on device");
    }

    @Override
    public byte[] get(String key) throws IOException {
      throw new IOException("read " + key + ": Input/output error");
    }

    @Override
    public boolean exists(String key) throws IOException {
      throw new RepositoryException("cannot stat " + key, "check the disk");
    }

    @Override
    public void delete(String key) {
      throw new IllegalStateException("bug in the store");
    }

    @Override
    public Stream<BlobInfo> list(String prefix) {
      // fails after the first entry, with the listing already under way
      return Stream.of(new BlobInfo("chunks/00/a", 1, Instant.now()), null).map(b -> {
        if (b == null) throw new UncheckedIOException(new IOException("readdir: Input/output error"));
        return b;
      });
    }

    @Override
    public void sync() throws IOException {
      throw new IOException("syncfs: Disk quota exceeded");
    }
  }

  @BeforeEach
  void start() throws IOException {
    channel = new DataChannel(dir);
    server = BlobServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), Tls.server(channel.recoveryIdentity, channel.ca.certificate()),
        (peer, repo) -> Optional.of(new FailingStore()));
    remote = new RemoteBlobStore(URI.create("https://127.0.0.1:" + server.port()), "pair-1", channel.clientContext(DataChannel.SOURCE), Duration.ofSeconds(5));
  }

  @AfterEach
  void stop() throws IOException {
    remote.close();
    server.close();
    channel.close();
  }

  @Test
  void noSpaceLeftFromAnyStoreReadsAsRepositoryFull() {
    assertThatThrownBy(() -> remote.put("chunks/00/a", new byte[10])).isInstanceOf(RepositoryFullException.class)
        .hasMessageContaining("No space left on device").hasMessageContaining("repository pair-1").hasMessageContaining("127.0.0.1:" + server.port());
    assertThatThrownBy(remote::sync).isInstanceOf(RepositoryFullException.class).hasMessageContaining("Disk quota exceeded");
    assertThat(server.blobsReceived()).isZero();
    assertThat(server.bytesReceived()).isEqualTo(10);
  }

  @Test
  void otherFailuresCarryTheServersMessageAndAddress() {
    assertThatThrownBy(() -> remote.get("chunks/00/a")).isInstanceOf(RepositoryException.class).isNotInstanceOf(PeerUnavailableException.class)
        .hasMessageContaining("Input/output error").hasMessageContaining("127.0.0.1:" + server.port()).hasMessageContaining("chunks/00/a");
    // HEAD answers have no body: the message travels in header fields
    assertThatThrownBy(() -> remote.exists("chunks/00/a")).isInstanceOf(RepositoryException.class).hasMessageContaining("cannot stat chunks/00/a")
        .hasMessageContaining("check the disk");
    assertThatThrownBy(() -> remote.delete("chunks/00/a")).isInstanceOf(RepositoryException.class).hasMessageContaining("bug in the store");
  }

  @Test
  void aListingThatFailsHalfWayIsAnErrorNotAShortListing() throws IOException {
    try (Stream<BlobInfo> s = remote.list("chunks/")) {
      assertThatThrownBy(s::count).isInstanceOf(UncheckedIOException.class).cause().hasMessageContaining("readdir: Input/output error")
          .hasMessageContaining("127.0.0.1:" + server.port());
    }
    // the connection came back to the pool in a clean state
    assertThatThrownBy(() -> remote.sync()).isInstanceOf(RepositoryFullException.class);
  }

  @Test
  void somethingElseOnThePortIsAProtocolError() throws Exception {
    try (ServerSocket notFerry = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
      Thread.ofVirtual().start(() -> {
        try (var s = notFerry.accept()) {
          s.getOutputStream().write("SSH-2.0-OpenSSH_9.6\r\n".getBytes(StandardCharsets.US_ASCII));
          s.getInputStream().read();
        } catch (IOException ignored) {
          // test over
        }
      });
      try (RemoteBlobStore wrong = new RemoteBlobStore(URI.create("https://127.0.0.1:" + notFerry.getLocalPort()), "pair-1", channel.clientContext(DataChannel.SOURCE),
          Duration.ofSeconds(5))) {
        assertThatThrownBy(() -> wrong.exists("config")).isInstanceOf(RepositoryException.class).isNotInstanceOf(PeerUnavailableException.class)
            .hasMessageContaining("127.0.0.1:" + notFerry.getLocalPort()).hasMessageContaining("pair-1").hasMessageContaining("a Ferry agent's data port?");
      }
    }
  }
}
