package io.ferry.cli.remote;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import tools.jackson.databind.JsonNode;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A stand-in for the vault at the protocol boundary, for the client's unit tests only (no vault
 * exists yet; the end-to-end tests run against the real one): canned JSON answers that follow
 * openapi.yaml, on the JDK's HTTP server, and a record of every request.
 *
 * <p>{@code on("GET", "/machines?name=web-1", 200, json)} answers GET /api/v1/machines when the
 * query holds name=web-1 (other parameters may be there too); routes with more query conditions
 * win. Registering the same route again queues another answer: each request takes the next one and
 * the last one repeats. Anything unrouted is a 404 NOT_FOUND Error.
 */
final class FakeVault implements AutoCloseable {
    record Request(String method, String path, Map<String, String> query, Map<String, List<String>> headers, String body) {
        JsonNode json() {
            return Json.MAPPER.readTree(body);
        }

        String header(String name) {
            for (Map.Entry<String, List<String>> e : headers.entrySet()) {
                if (e.getKey().equalsIgnoreCase(name)) {
                    return e.getValue().get(0);
                }
            }
            return null;
        }
    }

    private record Route(String method, String path, Map<String, String> query, List<String[]> answers) { }

    private final HttpServer server;
    private final List<Route> routes = Collections.synchronizedList(new ArrayList<>());
    private final List<Request> requests = Collections.synchronizedList(new ArrayList<>());
    private final String scheme;

    private FakeVault(HttpServer server, String scheme) {
        this.server = server;
        this.scheme = scheme;
        server.createContext("/", this::handle);
        server.start();
    }

    static FakeVault start() throws IOException {
        return new FakeVault(HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0), "http");
    }

    static FakeVault startHttps(SSLContext tls) throws IOException {
        HttpsServer s = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        s.setHttpsConfigurator(new HttpsConfigurator(tls));
        return new FakeVault(s, "https");
    }

    String url() {
        return scheme + "://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Answers {@code method /api/v1 + pathAndQuery} with this status and JSON body (single quotes stand for double ones). */
    FakeVault on(String method, String pathAndQuery, int status, String json) {
        String path = pathAndQuery;
        Map<String, String> query = new LinkedHashMap<>();
        int q = pathAndQuery.indexOf('?');
        if (q >= 0) {
            path = pathAndQuery.substring(0, q);
            query = parseQuery(pathAndQuery.substring(q + 1));
        }
        synchronized (routes) {
            for (Route r : routes) {
                if (r.method().equals(method) && r.path().equals(path) && r.query().equals(query)) {
                    r.answers().add(new String[] {Integer.toString(status), json == null ? null : Canned.q(json)});
                    return this;
                }
            }
            List<String[]> answers = new ArrayList<>();
            answers.add(new String[] {Integer.toString(status), json == null ? null : Canned.q(json)});
            routes.add(new Route(method, path, query, answers));
            routes.sort((a, b) -> b.query().size() - a.query().size());
        }
        return this;
    }

    /** Answers a GET of a list with these items on one page. */
    FakeVault onList(String pathAndQuery, String... items) {
        return on("GET", pathAndQuery, 200, Canned.page(null, items));
    }

    List<Request> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    /** The requests to {@code method /api/v1 + path} (path without query). */
    List<Request> requests(String method, String path) {
        return requests().stream().filter(r -> r.method().equals(method) && r.path().equals(path)).toList();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String full = ex.getRequestURI().getRawPath();
            String path = URLDecoder.decode(full, StandardCharsets.UTF_8);
            if (path.startsWith(VaultClient.API)) {
                path = path.substring(VaultClient.API.length());
            }
            Map<String, String> query = parseQuery(ex.getRequestURI().getRawQuery());
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            String method = ex.getRequestMethod();
            requests.add(new Request(method, path, query, Map.copyOf(ex.getRequestHeaders()), body));
            String[] answer = null;
            synchronized (routes) {
                for (Route r : routes) {
                    if (r.method().equals(method) && r.path().equals(path) && query.entrySet().containsAll(r.query().entrySet())) {
                        answer = r.answers().size() > 1 ? r.answers().remove(0) : r.answers().get(0);
                        break;
                    }
                }
            }
            if (answer == null) {
                answer = new String[] {"404", Canned.error("NOT_FOUND", "no route for " + method + " " + path + " in the fake vault", null)};
            }
            int status = Integer.parseInt(answer[0]);
            byte[] bytes = answer[1] == null ? new byte[0] : answer[1].getBytes(StandardCharsets.UTF_8);
            if (answer[1] != null) {
                ex.getResponseHeaders().set("Content-Type", answer[1].startsWith("{") || answer[1].startsWith("[")
                        ? "application/json" : "text/plain");
            }
            ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
            if (bytes.length > 0) {
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(bytes);
                }
            }
        }
    }

    private static Map<String, String> parseQuery(String raw) {
        Map<String, String> m = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return m;
        }
        for (String kv : raw.split("&")) {
            int eq = kv.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? kv : kv.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8);
            m.put(k, v);
        }
        return m;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
