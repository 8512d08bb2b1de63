package io.ferry.transport.blobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ferry.repository.RepositoryException;
import io.ferry.transport.tls.Tls;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A recovery agent that dies, never answers or stops reading: every call ends within the timeout. */
class RemoteBlobStoreFailureTest {
  static final Duration TIMEOUT = Duration.ofSeconds(2);
  @TempDir Path dir;
  DataChannel channel;
  final List<AutoCloseable> cleanup = new ArrayList<>();

  @BeforeEach
  void start() throws IOException {
    channel = new DataChannel(dir);
  }

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable c : cleanup) c.close();
    channel.close();
  }

  @Test
  void aServerClosedMidUseEndsCallsWithinTheTimeoutNamingAddressAndRepository() throws Exception {
    RemoteBlobStore remote = channel.client(DataChannel.SOURCE, DataChannel.REPO, TIMEOUT);
    cleanup.add(remote);
    byte[] blob = new byte[256 * 1024];
    AtomicInteger done = new AtomicInteger();
    CompletableFuture<IOException> writer = CompletableFuture.supplyAsync(() -> {
      try {
        for (int i = 0;; i++) {
          remote.put("chunks/00/c" + i, blob);
          done.incrementAndGet();
        }
      } catch (IOException e) {
        return e;
      }
    });
    while (done.get() < 20) Thread.sleep(5);
    long t0 = System.nanoTime();
    channel.server.close();
    IOException e = writer.get(TIMEOUT.toMillis() + 3000, TimeUnit.MILLISECONDS);
    long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    assertThat(tookMs).isLessThan(TIMEOUT.toMillis() + 1000);
    assertThat(e).isInstanceOf(PeerUnavailableException.class).hasMessageContaining("127.0.0.1:" + channel.server.port())
        .hasMessageContaining("repository pair-1").hasMessageContaining("hint: is the recovery agent running and reachable on its data port");

    // and later calls fail fast: nothing listens any more
    t0 = System.nanoTime();
    assertThatThrownBy(() -> remote.exists("config")).isInstanceOf(PeerUnavailableException.class).hasMessageContaining("connection refused")
        .hasMessageContaining("cannot check config in repository pair-1 on the agent at 127.0.0.1:" + channel.server.port());
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(TIMEOUT.toMillis());
  }

  @Test
  void aPeerThatAcceptsButNeverAnswersTimesOut() throws Exception {
    ServerSocket blackHole = new ServerSocket(0, 50, InetAddress.getLoopbackAddress()); // TCP accepted by the kernel, TLS never answered
    cleanup.add(blackHole);
    RemoteBlobStore remote = new RemoteBlobStore(URI.create("https://127.0.0.1:" + blackHole.getLocalPort()), DataChannel.REPO,
        channel.clientContext(DataChannel.SOURCE), TIMEOUT);
    cleanup.add(remote);
    long t0 = System.nanoTime();
    assertThatThrownBy(() -> remote.get("config")).isInstanceOf(PeerUnavailableException.class).hasMessageContaining("no answer")
        .hasMessageContaining("127.0.0.1:" + blackHole.getLocalPort()).hasMessageContaining("pair-1");
    long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    assertThat(tookMs).isBetween(TIMEOUT.toMillis() - 100, TIMEOUT.toMillis() + 1500);
  }

  @Test
  void aPeerThatStopsReadingInTheMiddleOfAPutTimesOut() throws Exception {
    // a TLS peer that greets like a BlobServer and then never reads again: the put blocks in write
    SSLServerSocket stalled = (SSLServerSocket) Tls.server(channel.recoveryIdentity, channel.ca.certificate()).getServerSocketFactory()
        .createServerSocket(0, 50, InetAddress.getLoopbackAddress());
    stalled.setNeedClientAuth(true);
    cleanup.add(stalled);
    List<Socket> held = new ArrayList<>();
    Thread.ofVirtual().start(() -> {
      try {
        SSLSocket s = (SSLSocket) stalled.accept();
        held.add(s);
        InputStream in = s.getInputStream();
        int state = 0;
        for (int c; state < 4 && (c = in.read()) != -1;) state = (c == '\r' || c == '\n') ? state + 1 : 0;
        String body = "{\"agent\":\"agent-recovery\",\"protocol\":\"1\"}";
        OutputStream out = s.getOutputStream();
        out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII));
        out.flush();
        Thread.sleep(60_000);
      } catch (Exception ignored) {
        // closed by the test
      }
    });
    RemoteBlobStore remote = new RemoteBlobStore(URI.create("https://127.0.0.1:" + stalled.getLocalPort()), DataChannel.REPO,
        channel.clientContext(DataChannel.SOURCE), TIMEOUT);
    cleanup.add(remote);
    long t0 = System.nanoTime();
    assertThatThrownBy(() -> remote.put("chunks/00/big", new byte[64 << 20])).isInstanceOf(PeerUnavailableException.class).hasMessageContaining("no progress")
        .hasMessageContaining("chunks/00/big");
    long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    assertThat(tookMs).isLessThan(TIMEOUT.toMillis() + 2000);
    for (Socket s : held) s.close();
  }

  @Test
  void retryingRidesOutARestartOfTheRecoveryAgent() throws Exception {
    int port = channel.server.port();
    RetryingBlobStore remote = new RetryingBlobStore(channel.client(DataChannel.SOURCE, DataChannel.REPO, TIMEOUT),
        RetryPolicy.defaults().withBackoff(Duration.ofMillis(100), Duration.ofMillis(500)).withMaxAttempts(10));
    cleanup.add(remote);
    remote.put("config", "v1".getBytes(StandardCharsets.US_ASCII));
    channel.server.close();
    CompletableFuture<Void> restart = CompletableFuture.runAsync(() -> {
      try {
        Thread.sleep(400);
        channel.server = channel.start(port, BlobServer.DEFAULT_MAX_BLOB_BYTES);
      } catch (Exception e) {
        throw new RuntimeException(e);
      }
    });
    assertThat(remote.get("config")).asString(StandardCharsets.US_ASCII).isEqualTo("v1");
    restart.get();
    assertThat(remote.retries()).isPositive();
    assertThat(remote.failures()).isZero();
  }

  @Test
  void retryingDoesNotRetryARefusalAndGivesUpWithTheLastError() throws Exception {
    RetryingBlobStore stranger = new RetryingBlobStore(channel.client("agent-stranger", DataChannel.REPO, TIMEOUT));
    cleanup.add(stranger);
    assertThatThrownBy(() -> stranger.exists("config")).isInstanceOf(RepositoryException.class).hasMessageContaining("access refused");
    assertThat(stranger.retries()).isZero();

    channel.server.close();
    RetryingBlobStore down = new RetryingBlobStore(channel.client(DataChannel.SOURCE, DataChannel.REPO, TIMEOUT),
        RetryPolicy.defaults().withBackoff(Duration.ofMillis(10), Duration.ofMillis(20)).withMaxAttempts(3));
    cleanup.add(down);
    assertThatThrownBy(() -> down.put("config", new byte[1])).isInstanceOf(PeerUnavailableException.class).hasMessageContaining("connection refused")
        .satisfies(e -> assertThat(e.getSuppressed()).hasSize(1));
    assertThat(down.retries()).isEqualTo(2);
    assertThat(down.failures()).isEqualTo(1);
  }

  @Test
  void manyThreadsShareTheStore() throws Exception {
    RemoteBlobStore remote = channel.client(DataChannel.SOURCE, DataChannel.REPO, TIMEOUT);
    cleanup.add(remote);
    List<CompletableFuture<Void>> all = new ArrayList<>();
    for (int t = 0; t < 16; t++) {
      int tt = t;
      all.add(CompletableFuture.runAsync(() -> {
        try {
          for (int i = 0; i < 50; i++) {
            String key = "chunks/" + String.format("%02x", tt) + "/k" + i;
            byte[] v = (tt + ":" + i).getBytes(StandardCharsets.US_ASCII);
            if (!remote.exists(key)) remote.put(key, v);
            assertThat(remote.get(key)).isEqualTo(v);
          }
        } catch (IOException e) {
          throw new RuntimeException(e);
        }
      }, java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()));
    }
    for (CompletableFuture<Void> f : all) {
      try {
        f.get(60, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        throw new AssertionError(e.getCause());
      }
    }
    assertThat(channel.server.blobsReceived()).isEqualTo(16 * 50);
    assertThat(channel.server.connections()).isLessThanOrEqualTo(16);
  }
}
