package io.ferry.vault.api;

import io.ferry.protocol.Heartbeat;
import io.ferry.protocol.RegisterRequest;
import io.ferry.protocol.RegisterResponse;
import io.ferry.transport.tls.CertificateAuthority;
import io.ferry.transport.tls.Tls;
import io.ferry.transport.tls.TlsIdentity;
import io.ferry.vault.agents.AgentGateway;
import io.ferry.vault.auth.Access;
import io.ferry.vault.auth.Principal;
import io.ferry.vault.jobs.Jobs;
import io.ferry.vault.store.VaultStore;
import io.javalin.Javalin;
import io.javalin.http.HandlerType;
import io.javalin.json.JavalinJackson3;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/** The vault's HTTPS server: one TLS port; agents present client certificates, users bearer tokens. */
public final class ApiServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ApiServer.class.getName());
    public static final String VERSION = "0.1.0";

    public record Parts(VaultStore store, Access access, Jobs jobs, AgentGateway gateway, CertificateAuthority ca,
                        TlsIdentity serverIdentity, PrometheusMeterRegistry metrics, JsonMapper json, Duration silentAfter,
                        String vaultUrl) {}

    private final Javalin app;

    private ApiServer(Javalin app) {
        this.app = app;
    }

    public static ApiServer start(InetAddress bind, int port, Parts p) {
        String openapi = resource("/openapi.yaml");
        Views views = new Views(p.store(), p.json(), p.silentAfter(), p.gateway().reports());
        // agent messages are read leniently: a newer agent may send fields this vault does not know
        JsonMapper agentJson = p.json().rebuild().disable(tools.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();
        Timer.Builder timer = Timer.builder("ferry_api_requests").description("vault API requests");
        Javalin app = Javalin.create(cfg -> {
            cfg.jsonMapper(new JavalinJackson3(p.json(), false));
            cfg.startup.showJavalinBanner = false;
            cfg.jetty.addConnector((server, httpConfig) -> {
                SslContextFactory.Server ssl = new SslContextFactory.Server();
                ssl.setSslContext(Tls.server(p.serverIdentity(), p.ca().certificate()));
                ssl.setWantClientAuth(true);
                HttpConfiguration https = new HttpConfiguration(httpConfig);
                SecureRequestCustomizer src = new SecureRequestCustomizer();
                src.setSniHostCheck(false);
                https.addCustomizer(src);
                ServerConnector c = new ServerConnector(server, new SslConnectionFactory(ssl, "http/1.1"),
                        new HttpConnectionFactory(https));
                c.setHost(bind.getHostAddress());
                c.setPort(port);
                return c;
            });
            cfg.requestLogger.http((ctx, ms) -> timer.tags("method", ctx.method().name(), "status", String.valueOf(ctx.statusCode()))
                    .register(p.metrics()).record(Duration.ofNanos((long) (ms * 1_000_000))));
            Routes r = new Routes(cfg, p.access(), p.store());
            r.open(HandlerType.GET, "/health", null, (ctx, who) -> {
                try {
                    p.store().ping();
                } catch (RuntimeException e) {
                    // openapi.yaml: 503 UNAVAILABLE when the database does not answer (not a 500: nothing is broken in the vault)
                    throw new ApiException(503, "UNAVAILABLE", "the vault's database does not answer: " + e.getMessage(),
                            "check the database server and the vault log");
                }
                ctx.json(Map.of("status", "ok", "database", p.store().vendor(), "version", VERSION));
            });
            r.open(HandlerType.GET, "/openapi.yaml", null, (ctx, who) -> ctx.contentType("application/yaml; charset=utf-8").result(openapi));
            r.open(HandlerType.POST, "/agent/register", "register agent", (ctx, who) -> {
                RegisterResponse registered = p.gateway().register(Requests.body(ctx, agentJson, RegisterRequest.class));
                ctx.attribute(Routes.PRINCIPAL, Principal.agent(registered.hostId())); // the audit names the new agent
                ctx.status(201).json(registered);
            });
            r.agent(HandlerType.POST, "/agent/heartbeat", (ctx, who) ->
                    ctx.json(p.gateway().heartbeat(who.id(), Requests.body(ctx, agentJson, Heartbeat.class))));
            AccessApi.register(r, p.store(), p.access(), p.json());
            CatalogApi.register(r, p.store(), views, p.json(), p.ca().fingerprint(), p.vaultUrl());
            ProtectionApi.register(r, p.store(), views, p.jobs(), p.json());
            cfg.routes.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(p.metrics().scrape()));
            cfg.routes.exception(ApiException.class, (e, ctx) -> ctx.status(e.status()).json(e.body()));
            // Javalin answers an unknown path with its own text (or JSON of another shape): answer an Error like every other 4xx
            cfg.routes.exception(io.javalin.router.EndpointNotFound.class, (e, ctx) -> ctx.status(404).json(new ApiException.Body(
                    "NOT_FOUND", "no such endpoint: " + ctx.method() + " " + ctx.path(), "see /api/v1/openapi.yaml")));
            cfg.routes.exception(io.ferry.vault.store.NotFoundException.class, (e, ctx) ->
                    ctx.status(404).json(new ApiException.Body("NOT_FOUND", e.getMessage(), null)));
            cfg.routes.exception(io.ferry.vault.store.ConflictException.class, (e, ctx) ->
                    ctx.status(409).json(new ApiException.Body("CONFLICT", e.getMessage(), null)));
            cfg.routes.exception(Exception.class, (e, ctx) -> {
                LOG.log(System.Logger.Level.ERROR, "internal error on " + ctx.method() + " " + ctx.path(), e);
                ctx.status(500).json(new ApiException.Body("INTERNAL", "internal error on " + ctx.method() + " " + ctx.path()
                        + ": " + e.getMessage(), "see the vault log; report it if it persists"));
            });
            cfg.routes.error(404, ctx -> {
                if (ctx.result() == null || ctx.result().isEmpty()) {
                    ctx.json(new ApiException.Body("NOT_FOUND", "no such endpoint: " + ctx.method() + " " + ctx.path(),
                            "see /api/v1/openapi.yaml"));
                }
            });
            cfg.routes.error(405, ctx -> ctx.json(new ApiException.Body("METHOD_NOT_ALLOWED",
                    ctx.method() + " is not allowed on " + ctx.path(), "see /api/v1/openapi.yaml")));
        }).start();
        return new ApiServer(app);
    }

    public int port() {
        return app.port();
    }

    private static String resource(String name) {
        try (InputStream in = ApiServer.class.getResourceAsStream(name)) {
            if (in == null) return "openapi: 3.1.0\ninfo: {title: Ferry vault, version: " + VERSION + "}\npaths: {}\n";
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        app.stop();
    }
}
