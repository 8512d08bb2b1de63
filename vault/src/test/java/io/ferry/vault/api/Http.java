package io.ferry.vault.api;

import io.ferry.vault.Vault;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/**
 * An HTTPS client of one vault, trusting only the vault's CA (and presenting a client
 * certificate when its SSL context has one). Every answer under {@code /api/v1} is checked
 * against openapi.yaml unless the client was made with {@link #withoutSpecCheck()}.
 */
final class Http {
    static final String API = "/api/v1";
    static final JsonMapper JSON = Vault.json();

    /** One answer: what was asked and what came back. */
    record Reply(String method, String path, int status, String contentType, String body) {
        JsonNode json() {
            return JSON.readTree(body);
        }

        <T> T as(Class<T> type) {
            return JSON.readValue(body, type);
        }

        String code() {
            return json().path("code").asString(null);
        }

        String message() {
            return json().path("message").asString(null);
        }

        @Override
        public String toString() {
            return method + " " + path + " → " + status + " " + body;
        }
    }

    private final String base;
    private final HttpClient client;
    private final boolean checkSpec;

    Http(String baseUrl, SSLContext tls) {
        this(baseUrl, HttpClient.newBuilder().sslContext(tls).version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build(), true);
    }

    private Http(String base, HttpClient client, boolean checkSpec) {
        this.base = base;
        this.client = client;
        this.checkSpec = checkSpec;
    }

    /** The same client without the check against openapi.yaml (for paths the document does not have). */
    Http withoutSpecCheck() {
        return new Http(base, client, false);
    }

    Reply get(String path, String token) {
        return send("GET", path, token, null, Map.of());
    }

    /** POST with {@code body} as JSON; a String body is sent as it is (so malformed JSON can be sent). */
    Reply post(String path, String token, Object body) {
        return send("POST", path, token, body, Map.of());
    }

    Reply put(String path, String token, Object body) {
        return send("PUT", path, token, body, Map.of());
    }

    Reply delete(String path, String token) {
        return send("DELETE", path, token, null, Map.of());
    }

    Reply send(String method, String path, String token, Object body, Map<String, String> headers) {
        try {
            return sendOrThrow(method, path, token, body, headers);
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + path + " failed: " + e.getMessage(), e);
        }
    }

    /** As {@link #send}, but a transport failure (TLS handshake, connection) is thrown as it is. */
    Reply sendOrThrow(String method, String path, String token, Object body, Map<String, String> headers) throws IOException {
        String text = body == null ? null : body instanceof String s ? s : JSON.writeValueAsString(body);
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                .method(method, text == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(text));
        if (text != null) b.header("Content-Type", "application/json");
        if (token != null) b.header("Authorization", "Bearer " + token);
        headers.forEach(b::header);
        HttpResponse<String> r;
        try {
            r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        String contentType = r.headers().firstValue("Content-Type").orElse(null);
        String bare = path.contains("?") ? path.substring(0, path.indexOf('?')) : path;
        if (checkSpec && bare.startsWith(API)) SpecCheck.verify(method, bare, r.statusCode(), contentType, r.body());
        return new Reply(method, path, r.statusCode(), contentType, r.body());
    }
}
