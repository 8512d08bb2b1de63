package io.ferry.cli.remote;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * A client of the vault's REST API ({@code /api/v1}): HTTPS with the JDK's HTTP client, trusting
 * the vault's CA certificate saved at login (hostname verification stays on), JSON answers as
 * Jackson trees. Every answer other than 2xx, and every failure to reach the vault, is thrown as a
 * {@link VaultException}. Plain {@code http://} is accepted only for a loopback address (tests).
 *
 * <p>Paths are relative to {@code /api/v1}, e.g. {@code get("/sites", Map.of())}; ids in paths go
 * through {@link #seg(String)}.
 */
public final class VaultClient {
    /** The API's base path on the vault. */
    public static final String API = "/api/v1";
    /** The most items one list request asks for (the API's maximum). */
    public static final int PAGE = 500;

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);

    private final URI vault;
    private final String token;
    private final HttpClient http;

    /** One page of a list: its items and the cursor of the next page (null on the last one). */
    public record Page(List<JsonNode> items, String next) { }

    /**
     * A client of the vault at {@code vault} (e.g. {@code https://vault.example:8443}).
     *
     * @param token the bearer token, or null for the operations that need none (login, health)
     * @param caPem the vault's CA certificate(s), PEM; null to trust the JDK's default CAs
     */
    public VaultClient(URI vault, String token, String caPem) {
        this.vault = Objects.requireNonNull(vault, "vault");
        this.token = token;
        HttpClient.Builder b = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(CONNECT_TIMEOUT)
                .followRedirects(HttpClient.Redirect.NEVER);
        if (caPem != null && "https".equals(vault.getScheme())) {
            b.sslContext(trusting(caPem));
        }
        this.http = b.build();
    }

    /** The client for the login in {@code config}; refuses when there is none. */
    public static VaultClient fromConfig(CliConfig config) {
        if (config.vault() == null) {
            throw VaultException.refused("UNAUTHENTICATED", "not logged in to a vault",
                    "log in with `ferry login --vault https://HOST:8443 --ca-file ca.pem` (or set FERRY_VAULT and FERRY_TOKEN)");
        }
        URI vault = normalize(config.vault());
        if (config.token() == null) {
            throw VaultException.refused("UNAUTHENTICATED", "not logged in to " + vault,
                    "log in with `ferry login --vault " + vault + "` (or set FERRY_TOKEN)");
        }
        return new VaultClient(vault, config.token(), config.caPem());
    }

    /**
     * The vault's base URL from what the operator typed: {@code https://} is added when no scheme
     * is given, a trailing {@code /} or {@code /api/v1} is dropped. {@code http://} is refused
     * unless the host is a loopback address.
     */
    public static URI normalize(String url) {
        String s = url == null ? "" : url.trim();
        if (!s.contains("://")) {
            s = "https://" + s;
        }
        while (s.endsWith("/")) {
            s = s.substring(0, s.length() - 1);
        }
        if (s.endsWith(API)) {
            s = s.substring(0, s.length() - API.length());
        }
        URI u;
        try {
            u = new URI(s);
        } catch (URISyntaxException e) {
            throw badUrl(url);
        }
        if (u.getHost() == null || (u.getPath() != null && !u.getPath().isEmpty()) || u.getQuery() != null) {
            throw badUrl(url);
        }
        String scheme = u.getScheme().toLowerCase(Locale.ROOT);
        if (scheme.equals("http")) {
            if (!isLoopback(u.getHost())) {
                throw VaultException.refused("INVALID_ARGUMENT", "the vault is served over HTTPS, not " + url,
                        "use https://" + u.getHost() + ":8443");
            }
        } else if (!scheme.equals("https")) {
            throw badUrl(url);
        }
        return u;
    }

    private static VaultException badUrl(String url) {
        return VaultException.refused("INVALID_ARGUMENT", "'" + url + "' is not a vault URL", "use https://HOST:8443");
    }

    private static boolean isLoopback(String host) {
        try {
            return InetAddress.getByName(host.replace("[", "").replace("]", "")).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /**
     * An SSL context trusting exactly the certificates in {@code pem} (the vault's CA), built from
     * an in-memory key store; the JDK's default trust anchors are not used.
     */
    public static SSLContext trusting(String pem) {
        try {
            CertificateFactory cf = CertificateFactory.getInstance("X.509");
            Collection<? extends Certificate> certs = cf.generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
            if (certs.isEmpty()) {
                throw VaultException.refused("INVALID_ARGUMENT", "the vault's CA certificate holds no certificate",
                        "give the vault's CA certificate, PEM (-----BEGIN CERTIFICATE-----), with --ca-file");
            }
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            int i = 0;
            for (Certificate c : certs) {
                ks.setCertificateEntry("ferry-vault-ca-" + i++, c);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (GeneralSecurityException | IOException e) {
            throw VaultException.refused("INVALID_ARGUMENT", "the vault's CA certificate is not a readable PEM certificate: " + e.getMessage(),
                    "give the vault's CA certificate, PEM (-----BEGIN CERTIFICATE-----), with --ca-file");
        }
    }

    /** The vault's base URL (without {@code /api/v1}). */
    public URI vault() {
        return vault;
    }

    /** A path segment, percent-encoded (for ids and names in paths). */
    public static String seg(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    public JsonNode get(String path) {
        return send("GET", path, Map.of(), null, null);
    }

    /** GET with query parameters; null values are left out. */
    public JsonNode get(String path, Map<String, String> query) {
        return send("GET", path, query, null, null);
    }

    /** One page of a list operation. */
    public Page page(String path, Map<String, String> query) {
        JsonNode n = get(path, query);
        List<JsonNode> items = new ArrayList<>();
        JsonNode arr = n == null ? null : n.get("items");
        if (arr == null || !arr.isArray()) {
            throw VaultException.answer(500, "INTERNAL", "the vault's answer to GET " + API + path + " has no items list",
                    "is " + vault + " a Ferry vault of the same version as this CLI?");
        }
        arr.forEach(items::add);
        return new Page(items, Json.text(n, "next"));
    }

    /** Every item of a list operation, following its cursor page by page. */
    public List<JsonNode> list(String path, Map<String, String> query) {
        return list(path, query, Integer.MAX_VALUE);
    }

    /** At most {@code max} items of a list operation, following its cursor page by page. */
    public List<JsonNode> list(String path, Map<String, String> query, int max) {
        List<JsonNode> all = new ArrayList<>();
        String after = query.get("after");
        while (all.size() < max) {
            Map<String, String> q = new LinkedHashMap<>(query);
            q.put("limit", Integer.toString(Math.min(PAGE, max - all.size())));
            q.put("after", after);
            Page p = page(path, q);
            all.addAll(p.items());
            if (p.next() == null || p.items().isEmpty() || p.next().equals(after)) {
                break;
            }
            after = p.next();
        }
        return all.size() > max ? all.subList(0, max) : all;
    }

    public JsonNode post(String path, Object body) {
        return send("POST", path, Map.of(), body, null);
    }

    /** POST of an operation that starts a job, with an {@code Idempotency-Key} (null for none). */
    public JsonNode post(String path, Object body, String idempotencyKey) {
        return send("POST", path, Map.of(), body, idempotencyKey);
    }

    public JsonNode put(String path, Object body) {
        return send("PUT", path, Map.of(), body, null);
    }

    public void delete(String path) {
        send("DELETE", path, Map.of(), null, null);
    }

    /** {@code POST /auth/login}: the answer {@code {token, expiresAt, user}}. */
    public JsonNode login(String username, String password) {
        Map<String, String> body = new LinkedHashMap<>();
        body.put("username", username);
        body.put("password", password);
        return post("/auth/login", body);
    }

    private JsonNode send(String method, String path, Map<String, String> query, Object body, String idempotencyKey) {
        String target = API + path + queryString(query);
        URI uri = URI.create(vault + target);
        HttpRequest.Builder rb = HttpRequest.newBuilder(uri).timeout(REQUEST_TIMEOUT)
                .header("Accept", "application/json").header("User-Agent", "ferry-cli/0.1.0");
        if (token != null) {
            rb.header("Authorization", "Bearer " + token);
        }
        if (idempotencyKey != null) {
            rb.header("Idempotency-Key", idempotencyKey);
        }
        if (body != null) {
            rb.header("Content-Type", "application/json; charset=utf-8")
                    .method(method, HttpRequest.BodyPublishers.ofString(Json.MAPPER.writeValueAsString(body), StandardCharsets.UTF_8));
        } else if (method.equals("POST") || method.equals("PUT")) {
            rb.header("Content-Type", "application/json; charset=utf-8").method(method, HttpRequest.BodyPublishers.ofString("{}"));
        } else {
            rb.method(method, HttpRequest.BodyPublishers.noBody());
        }
        HttpResponse<String> resp;
        try {
            resp = http.send(rb.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw VaultException.unreachable("interrupted while waiting for the vault at " + vault, null, e);
        } catch (IOException e) {
            throw unreachable(method, e);
        }
        int status = resp.statusCode();
        String text = resp.body();
        if (status >= 200 && status < 300) {
            if (text == null || text.isBlank()) {
                return null;
            }
            try {
                return Json.MAPPER.readTree(text);
            } catch (JacksonException e) {
                throw VaultException.answer(500, "INTERNAL", "the vault's answer to " + method + " " + target + " is not JSON: "
                        + snippet(text), "is " + vault + " a Ferry vault?");
            }
        }
        throw error(method, target, status, text);
    }

    private VaultException error(String method, String target, int status, String text) {
        JsonNode n = null;
        try {
            n = text == null || text.isBlank() ? null : Json.MAPPER.readTree(text);
        } catch (JacksonException e) {
            // not an Error body: described below
        }
        String code = Json.text(n, "code");
        String message = Json.text(n, "message");
        String hint = Json.text(n, "hint");
        if (code == null || message == null) {
            code = "HTTP_" + status;
            message = "the vault answered HTTP " + status + " to " + method + " " + target
                    + (text == null || text.isBlank() ? "" : ": " + snippet(text));
        }
        if (hint == null) {
            hint = switch (status) {
                case 401 -> "log in again with `ferry login --vault " + vault + "`";
                case 403 -> "this needs a user with a higher role; see `ferry whoami`";
                case 404 -> code.startsWith("HTTP_") ? "is " + vault + " a Ferry vault of the same version as this CLI?" : null;
                default -> status >= 500 ? "the vault's log says more" : null;
            };
        }
        return VaultException.answer(status, code, message, hint);
    }

    private VaultException unreachable(String method, IOException e) {
        String why = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
        String relogin = "`ferry login --vault URL`";
        if (hasCause(e, SSLException.class)) {
            return VaultException.unreachable("TLS with the vault at " + vault + " failed: " + rootMessage(e),
                    "the vault's certificate must be issued by the CA saved at login and name the host " + vault.getHost()
                            + "; log in again with `ferry login --vault " + vault + " --ca-file ca.pem`", e);
        }
        if (e instanceof HttpConnectTimeoutException) {
            return VaultException.unreachable("cannot reach the vault at " + vault + ": no answer within " + CONNECT_TIMEOUT.toSeconds() + "s",
                    "check that the vault runs and that this machine can reach it, or log in to another vault with " + relogin, e);
        }
        if (e instanceof HttpTimeoutException) {
            return VaultException.unreachable("the vault at " + vault + " did not answer a " + method + " within "
                    + REQUEST_TIMEOUT.toSeconds() + "s", "check the vault's health and log; the operation may still have taken effect", e);
        }
        if (e instanceof ConnectException || hasCause(e, ConnectException.class)) {
            why = "connection refused";
        } else if (hasCause(e, java.nio.channels.UnresolvedAddressException.class) || hasCause(e, UnknownHostException.class)) {
            why = "unknown host " + vault.getHost();
        }
        return VaultException.unreachable("cannot reach the vault at " + vault + ": " + why,
                "check that the vault runs and that this machine can reach it, or log in to another vault with " + relogin, e);
    }

    private static boolean hasCause(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return true;
            }
        }
        return false;
    }

    private static String rootMessage(Throwable t) {
        Throwable r = t;
        while (r.getCause() != null && r.getCause() != r) {
            r = r.getCause();
        }
        return r.getMessage() != null ? r.getMessage() : r.getClass().getSimpleName();
    }

    private static String snippet(String text) {
        String t = text.strip().replaceAll("\\s+", " ");
        return t.length() > 200 ? t.substring(0, 200) + "…" : t;
    }

    private static String queryString(Map<String, String> query) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, String> e : query.entrySet()) {
            if (e.getValue() == null) {
                continue;
            }
            sb.append(sb.isEmpty() ? '?' : '&').append(seg(e.getKey())).append('=').append(seg(e.getValue()));
        }
        return sb.toString();
    }
}
