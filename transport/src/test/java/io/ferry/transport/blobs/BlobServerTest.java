package io.ferry.transport.blobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferry.repository.BlobInfo;
import io.ferry.repository.RepositoryException;
import io.ferry.repository.RepositoryFullException;
import io.ferry.transport.tls.Tls;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The recovery agent's side: who may connect, what is refused, and what reaches the disk. */
class BlobServerTest {
  @TempDir Path dir;
  DataChannel channel;
  Path mounted;

  @BeforeEach
  void start() throws IOException {
    channel = new DataChannel(dir, 1 << 20);
  }

  @AfterEach
  void stop() throws Exception {
    channel.close();
    if (mounted != null) {
      Process p = new ProcessBuilder("umount", "-l", mounted.toString()).inheritIO().start();
      p.waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void countsRequestsAndReceivedBlobs() throws IOException {
    try (RemoteBlobStore remote = channel.client()) {
      remote.put("chunks/00/a", new byte[1000]);
      remote.put("chunks/00/b", new byte[24]);
      assertThat(remote.exists("chunks/00/a")).isTrue();
      remote.sync();
    }
    assertThat(channel.server.blobsReceived()).isEqualTo(2);
    assertThat(channel.server.bytesReceived()).isEqualTo(1024);
    assertThat(channel.server.requests()).isEqualTo(1 + 4); // hello + put, put, exists, sync
    assertThat(Files.readAllBytes(channel.storeDir(DataChannel.REPO).resolve("chunks/00/a"))).hasSize(1000);
  }

  @Test
  void aPeerThatIsNotPairedGetsA403NamingItselfAndTheRepository() throws IOException {
    try (RemoteBlobStore stranger = channel.client("agent-stranger", DataChannel.REPO, Duration.ofSeconds(5))) {
      assertThatThrownBy(() -> stranger.put("chunks/00/a", new byte[10])).isInstanceOf(RepositoryException.class)
          .isNotInstanceOf(PeerUnavailableException.class).hasMessageContaining("repository pair-1").hasMessageContaining("access refused")
          .hasMessageContaining("agent 'agent-stranger' may not use repository 'pair-1'").hasMessageContaining("127.0.0.1:" + channel.server.port())
          .hasMessageContaining("hint:");
    }
    try (RemoteBlobStore otherRepo = channel.client(DataChannel.SOURCE, "pair-2", Duration.ofSeconds(5))) {
      assertThatThrownBy(() -> otherRepo.exists("config")).isInstanceOf(RepositoryException.class).hasMessageContaining("'pair-2'");
      // the refusal did not break the connection: the refused peer still gets clear answers
      assertThatThrownBy(() -> otherRepo.get("config")).isInstanceOf(RepositoryException.class).hasMessageContaining("access refused");
    }
    assertThat(channel.storeDir(DataChannel.REPO)).doesNotExist();
    assertThat(channel.storeDir("pair-2")).doesNotExist();
  }

  @Test
  void aClientWithoutCertificateCannotConnect() throws IOException {
    // trusts the recovery agent (pinned CA) but has no certificate of its own
    try (RemoteBlobStore anonymous = new RemoteBlobStore(channel.base(), DataChannel.REPO, Tls.pinned(channel.ca.fingerprint()), Duration.ofSeconds(5))) {
      assertThatThrownBy(() -> anonymous.exists("config")).isInstanceOf(RepositoryException.class).isNotInstanceOf(PeerUnavailableException.class)
          .hasMessageContaining("refused this agent's certificate").hasMessageContaining("register");
    }
    assertThat(channel.server.requests()).isZero();
  }

  @Test
  void aClientRefusesARecoveryAgentWithAnotherId() throws IOException {
    var ctx = Tls.clientForPeer(channel.identity(DataChannel.SOURCE), channel.ca.certificate(), "agent-elsewhere");
    try (RemoteBlobStore remote = new RemoteBlobStore(channel.base(), DataChannel.REPO, ctx, Duration.ofSeconds(5))) {
      assertThatThrownBy(() -> remote.put("config", new byte[1])).isInstanceOf(RepositoryException.class).isNotInstanceOf(PeerUnavailableException.class)
          .hasMessageContaining("not the expected peer").hasMessageContaining("expected agent 'agent-elsewhere'");
    }
    assertThat(channel.server.requests()).isZero();
  }

  @Test
  void pathTraversalIsA400AndWritesNothing() throws Exception {
    List<String> evil = List.of("/repositories/pair-1/blobs/../../escaped", "/repositories/pair-1/blobs/chunks/../../../escaped", "/repositories/pair-1/blobs//escaped",
        "/repositories/pair-1/blobs/%2e%2e/%2e%2e/escaped", "/repositories/../recovery/pair-1/blobs/escaped", "/repositories/pair-1/blobs/.hidden",
        "/repositories/pair-1/blobs/", "/repositories/pair-1/blobs/a/./b", "/etc/passwd", "/repositories/pair-1/list?prefix=../");
    try (RawHttps raw = new RawHttps(channel.clientContext(DataChannel.SOURCE), channel.server.port())) {
      for (String target : evil) {
        String answer = raw.exchange("PUT " + target + " HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n", "owned".getBytes(StandardCharsets.US_ASCII));
        assertThat(answer).as(target).startsWith("HTTP/1.1 400 ").contains("\"code\":\"bad-request\"");
      }
      // the connection survived every refusal
      assertThat(raw.exchange("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n", null)).startsWith("HTTP/1.1 200 ").contains("\"peer\":\"agent-source\"");
    }
    try (Stream<Path> files = Files.walk(dir)) {
      assertThat(files.map(Path::toString)).noneMatch(p -> p.contains("escaped") || p.contains("hidden"));
    }
    assertThat(channel.storeDir(DataChannel.REPO)).doesNotExist();
    assertThat(channel.server.blobsReceived()).isZero();
    try (RemoteBlobStore remote = channel.client()) {
      assertThatThrownBy(() -> remote.put("../escaped", new byte[1])).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("invalid blob key");
      assertThatThrownBy(() -> remote.get("/etc/passwd")).isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void aBlobLargerThanTheLimitIsA413AndTheConnectionStaysUsable() throws IOException {
    try (RemoteBlobStore remote = channel.client()) {
      assertThatThrownBy(() -> remote.put("chunks/00/big", new byte[(1 << 20) + 1])).isInstanceOf(RepositoryException.class)
          .hasMessageContaining("chunks/00/big").hasMessageContaining("larger than the 1048576 bytes");
      remote.put("chunks/00/small", new byte[1 << 20]);
      assertThat(remote.exists("chunks/00/big")).isFalse();
    }
    try (RawHttps raw = new RawHttps(channel.clientContext(DataChannel.SOURCE), channel.server.port())) {
      // a body far beyond the limit is not even drained: 413, then the connection is closed
      String answer = raw.exchange("PUT /repositories/pair-1/blobs/chunks/00/huge HTTP/1.1\r\nHost: x\r\nContent-Length: 10737418240\r\n\r\n", null);
      assertThat(answer).startsWith("HTTP/1.1 413 ").contains("Connection: close").contains("too-large");
      assertThat(raw.closedByServer()).isTrue();
    }
  }

  @Test
  void aListingOfTensOfThousandsOfKeysStreams() throws IOException {
    Path root = channel.storeDir(DataChannel.REPO);
    int n = 20_000;
    byte[] small = new byte[3];
    for (int i = 0; i < 256; i++) Files.createDirectories(root.resolve("chunks/" + String.format("%02x", i)));
    for (int i = 0; i < n; i++) Files.write(root.resolve("chunks/" + String.format("%02x", i % 256) + "/" + String.format("%064x", i)), small); // as a store would leave them
    long t0 = System.nanoTime();
    try (RemoteBlobStore remote = channel.client(); Stream<BlobInfo> all = remote.list("chunks/")) {
      long[] count = {0};
      all.forEach(b -> {
        assertThat(b.size()).isEqualTo(3);
        count[0]++;
      });
      assertThat(count[0]).isEqualTo(n);
      try (Stream<BlobInfo> some = remote.list("chunks/0a/")) {
        assertThat(some.count()).isEqualTo(n / 256 + (n % 256 > 10 ? 1 : 0));
      }
      // a listing abandoned half-way does not poison the pool
      try (Stream<BlobInfo> s = remote.list("")) {
        assertThat(s.limit(10).count()).isEqualTo(10);
      }
      assertThat(remote.exists("chunks/00/" + String.format("%064x", 0))).isTrue();
    }
    System.out.printf("listed %d keys over the data channel in %d ms%n", n, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
  }

  @Test
  void aFullDiskOnTheRecoveryAgentReachesTheSourceAsRepositoryFull() throws Exception {
    Path tiny = dir.resolve("recovery");
    Files.createDirectories(tiny);
    Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", tiny.toString()).redirectErrorStream(true).start();
    String out = new String(mount.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    Assumptions.assumeTrue(mount.waitFor() == 0, "cannot mount a tmpfs (needs root): " + out);
    mounted = tiny;

    byte[] blob = new byte[256 * 1024];
    new Random(7).nextBytes(blob);
    List<String> stored = new ArrayList<>();
    try (RemoteBlobStore remote = channel.client()) {
      assertThatThrownBy(() -> {
        for (int i = 0; i < 100; i++) {
          remote.put("chunks/00/c" + i, blob);
          stored.add("chunks/00/c" + i);
        }
        remote.sync();
      }).isInstanceOf(RepositoryFullException.class).hasMessageContaining("repository pair-1").hasMessageContaining("full")
          .hasMessageContaining("127.0.0.1:" + channel.server.port()).hasMessageContaining("No space left on device").hasMessageContaining("hint: free space");
      assertThat(stored).hasSizeLessThan(9);
      // what was stored before is still readable over the same channel
      assertThat(remote.get(stored.get(0))).isEqualTo(blob);
    }
  }
}
