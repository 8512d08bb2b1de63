package io.ferry.transport.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Executors;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent's side of the vault API: java.net.http.HttpClient with {@link Tls#client} against an HTTPS server that wants client certificates. */
class HttpClientTlsTest {
  @TempDir Path dir;
  TestPki pki;
  HttpsServer server;

  @BeforeEach
  void startServer() throws Exception {
    pki = new TestPki(dir.resolve("ca"), "Ferry CA");
    server = start(pki.server("localhost", "127.0.0.1"));
  }

  private HttpsServer start(TlsIdentity identity) throws IOException {
    SSLContext ctx = Tls.server(identity, pki.ca.certificate());
    HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setHttpsConfigurator(new HttpsConfigurator(ctx) {
      @Override
      public void configure(HttpsParameters params) {
        SSLParameters p = getSSLContext().getDefaultSSLParameters();
        p.setWantClientAuth(true);
        params.setSSLParameters(p);
      }
    });
    server.createContext("/whoami", ex -> {
      String cn = Tls.peerCommonName(((HttpsExchange) ex).getSSLSession()).orElse("anonymous");
      byte[] body = cn.getBytes(StandardCharsets.UTF_8);
      ex.sendResponseHeaders(200, body.length);
      ex.getResponseBody().write(body);
      ex.close();
    });
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.start();
    return server;
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private String whoami(SSLContext ctx, String host) throws IOException, InterruptedException {
    return whoami(ctx, host, server);
  }

  private static String whoami(SSLContext ctx, String host, HttpsServer server) throws IOException, InterruptedException {
    try (HttpClient client = HttpClient.newBuilder().sslContext(ctx).version(HttpClient.Version.HTTP_1_1).build()) {
      URI uri = URI.create("https://" + host + ":" + server.getAddress().getPort() + "/whoami");
      return client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString()).body();
    }
  }

  @Test
  void theServerSeesTheAgentsCommonName() throws Exception {
    assertThat(whoami(Tls.client(pki.agent("agent-42"), pki.ca.certificate()), "localhost")).isEqualTo("agent-42");
    assertThat(whoami(Tls.client(pki.agent("agent-43"), pki.ca.certificate()), "127.0.0.1")).isEqualTo("agent-43");
  }

  @Test
  void aClientWithoutCertificateIsAnonymousWhenTheServerOnlyWantsOne() throws Exception {
    assertThat(whoami(Tls.client(null, pki.ca.certificate()), "localhost")).isEqualTo("anonymous");
  }

  @Test
  void theRegistrationCallWorksWithOnlyThePinnedFingerprint() throws Exception {
    assertThat(whoami(Tls.pinned(pki.ca.fingerprint()), "localhost")).isEqualTo("anonymous");
  }

  @Test
  void aHostNameNotInTheCertificateIsRefused() throws Exception {
    HttpsServer elsewhere = start(pki.server("vault.example.org"));
    try {
      assertThatThrownBy(() -> whoami(Tls.client(null, pki.ca.certificate()), "localhost", elsewhere)).isInstanceOf(IOException.class);
    } finally {
      elsewhere.stop(0);
    }
  }
}
