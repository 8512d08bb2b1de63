package io.ferry.agent;

import io.ferry.protocol.Heartbeat;
import io.ferry.protocol.HeartbeatResponse;
import io.ferry.transport.tls.Tls;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** The agent's only connection to the vault: outbound HTTPS with its client certificate. */
final class VaultConnection {
    private final HttpClient http;
    private final URI heartbeat;
    private final Duration timeout;

    VaultConnection(AgentConfig cfg, AgentIdentity id) {
        this.http = HttpClient.newBuilder().sslContext(Tls.client(id.tls(), id.ca()))
                .connectTimeout(Duration.ofSeconds(10)).build();
        this.heartbeat = cfg.vault().resolve("/api/v1/agent/heartbeat");
        this.timeout = cfg.requestTimeout();
    }

    HeartbeatResponse send(Heartbeat hb) throws IOException {
        HttpResponse<byte[]> resp;
        try {
            resp = http.send(HttpRequest.newBuilder(heartbeat).timeout(timeout)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(Json.MAPPER.writeValueAsBytes(hb))).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("heartbeat to " + heartbeat + " interrupted", e);
        }
        if (resp.statusCode() != 200) {
            throw new IOException("the vault at " + heartbeat + " answered the heartbeat with HTTP " + resp.statusCode()
                    + ": " + new String(resp.body(), java.nio.charset.StandardCharsets.UTF_8));
        }
        return Json.MAPPER.readValue(resp.body(), HeartbeatResponse.class);
    }
}
