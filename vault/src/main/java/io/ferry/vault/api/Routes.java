package io.ferry.vault.api;

import io.ferry.vault.auth.Access;
import io.ferry.vault.auth.Principal;
import io.ferry.vault.auth.Role;
import io.ferry.vault.store.AuditEntry;
import io.ferry.vault.store.VaultStore;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Optional;

/** Route registration with authentication, authorisation and audit around every handler. */
final class Routes {
    static final String PREFIX = "/api/v1";
    static final String PRINCIPAL = "ferry.principal";

    /** Who may call a route. */
    enum Caller { ANYONE, AGENT, USER }

    interface Handler {
        void handle(Context ctx, Principal who) throws Exception;
    }

    private final JavalinConfig cfg;
    private final Access access;
    private final VaultStore store;

    Routes(JavalinConfig cfg, Access access, VaultStore store) {
        this.cfg = cfg;
        this.access = access;
        this.store = store;
    }

    void get(String path, Role role, Handler h) {
        add(HandlerType.GET, path, Caller.USER, role, null, h);
    }

    void post(String path, Role role, String action, Handler h) {
        add(HandlerType.POST, path, Caller.USER, role, action, h);
    }

    void put(String path, Role role, String action, Handler h) {
        add(HandlerType.PUT, path, Caller.USER, role, action, h);
    }

    void delete(String path, Role role, String action, Handler h) {
        add(HandlerType.DELETE, path, Caller.USER, role, action, h);
    }

    void open(HandlerType method, String path, String action, Handler h) {
        add(method, path, Caller.ANYONE, null, action, h);
    }

    void agent(HandlerType method, String path, Handler h) {
        add(method, path, Caller.AGENT, null, null, h);
    }

    private void add(HandlerType method, String path, Caller caller, Role role, String action, Handler h) {
        cfg.routes.addHttpHandler(method, PREFIX + path, ctx -> {
            Principal who = null;
            try {
                who = switch (caller) {
                    case ANYONE -> null;
                    case AGENT -> agent(ctx);
                    case USER -> user(ctx, role);
                };
                ctx.attribute(PRINCIPAL, who);
                h.handle(ctx, who);
                if (action != null) audit(ctx, actor(ctx, who), action, AuditEntry.OK, ctx.statusCode(), null);
            } catch (ApiException e) {
                // every denied request is audited (openapi.yaml, GET /audit), reads included
                if (action != null || e.status() == 401 || e.status() == 403) {
                    audit(ctx, actor(ctx, who), action == null ? method + " " + path : action,
                            e.status() == 401 || e.status() == 403 ? AuditEntry.DENIED : AuditEntry.FAILED, e.status(), e.getMessage());
                }
                throw e;
            } catch (RuntimeException e) {
                if (action != null) audit(ctx, actor(ctx, who), action, AuditEntry.FAILED, 500, e.toString());
                throw e;
            }
        });
    }

    /**
     * Who to name in the audit log: the authenticated caller, else whom the request identified on
     * the way (the user whose role was too low, the user who just logged in, the agent just registered).
     */
    private static Principal actor(Context ctx, Principal who) {
        return who != null ? who : ctx.attribute(PRINCIPAL);
    }

    private Principal user(Context ctx, Role role) {
        String auth = ctx.header("Authorization");
        if (auth == null || !auth.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw new ApiException(401, "UNAUTHENTICATED", "this call needs a bearer token",
                    "log in with `ferry login` (or POST /api/v1/auth/login) and send Authorization: Bearer TOKEN");
        }
        Optional<Principal> p = access.authenticate(auth.substring(7).trim());
        if (p.isEmpty()) {
            throw new ApiException(401, "UNAUTHENTICATED", "the bearer token is unknown, expired or its user is disabled",
                    "log in again with `ferry login`");
        }
        if (!p.get().role().allows(role)) {
            ctx.attribute(PRINCIPAL, p.get());
            throw new ApiException(403, "FORBIDDEN", "user " + p.get().name() + " has role " + p.get().role()
                    + "; " + ctx.method() + " " + ctx.path() + " needs " + role, "ask an admin for a user with role " + role);
        }
        return p.get();
    }

    /** The agent is its verified client certificate's common name (Jetty verified the chain against the vault CA). */
    private static Principal agent(Context ctx) {
        Object attr = ctx.req().getAttribute("jakarta.servlet.request.X509Certificate");
        if (!(attr instanceof X509Certificate[] chain) || chain.length == 0) {
            throw new ApiException(401, "UNAUTHENTICATED", "agent calls need the agent's client certificate (mutual TLS)",
                    "register the agent with `ferry agent --key …`; it then presents its certificate");
        }
        String dn = chain[0].getSubjectX500Principal().getName();
        for (String part : dn.split(",")) {
            if (part.trim().startsWith("CN=")) return Principal.agent(part.trim().substring(3));
        }
        throw new ApiException(401, "UNAUTHENTICATED", "the client certificate has no common name", null);
    }

    private void audit(Context ctx, Principal who, String action, String outcome, int status, String detail) {
        try {
            String target = ctx.pathParamMap().isEmpty() ? null : String.join(",", ctx.pathParamMap().values());
            store.appendAudit(new AuditEntry(0, Instant.now(), who == null ? "anonymous" : who.name(),
                    who == null || who.role() == null ? null : who.role().name(), action, target, outcome, status,
                    detail == null ? null : (detail.length() > 500 ? detail.substring(0, 500) : detail)));
        } catch (RuntimeException e) {
            System.getLogger(Routes.class.getName()).log(System.Logger.Level.ERROR, "cannot write the audit log: " + e.getMessage());
        }
    }
}
