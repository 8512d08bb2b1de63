package io.ferry.vault.api;

import io.ferry.vault.auth.Access;
import io.ferry.vault.auth.Principal;
import io.ferry.vault.auth.Role;
import io.ferry.vault.store.AuditEntry;
import io.ferry.vault.store.ConflictException;
import io.ferry.vault.store.User;
import io.ferry.vault.store.VaultStore;
import io.javalin.http.HandlerType;
import tools.jackson.databind.json.JsonMapper;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** Login, users, tokens, audit log. */
final class AccessApi {
    record Login(String username, String password) {}

    record LoginResult(String token, Instant expiresAt, Views.UserView user) {}

    record NewUser(String name, String password, String role) {}

    record NewToken(String name, Long expiresInSeconds) {}

    record TokenView(String id, String name, String token, Instant expiresAt) {}

    static void register(Routes r, VaultStore store, Access access, JsonMapper json) {
        r.open(HandlerType.POST, "/auth/login", "login", (ctx, who) -> {
            Login l = Requests.body(ctx, json, Login.class);
            Requests.required(l.username(), "username");
            Requests.required(l.password(), "password");
            var issued = access.login(l.username(), l.password().toCharArray());
            if (issued.isEmpty()) {
                throw new ApiException(401, "UNAUTHENTICATED", "login of '" + l.username() + "' refused: wrong name or password,"
                        + " or the user is disabled", "check the name and password; an admin can reset them");
            }
            var u = issued.get().user();
            ctx.attribute(Routes.PRINCIPAL, new Principal(u.id(), u.name(), Role.parse(u.role()), false)); // the audit names who logged in
            ctx.json(new LoginResult(issued.get().secret(), issued.get().token().expiresAt(), Views.UserView.of(u)));
        });
        r.get("/auth/whoami", Role.VIEWER, (ctx, who) ->
                ctx.json(Views.UserView.of(store.user(who.id()).orElseThrow())));
        r.get("/users", Role.ADMIN, (ctx, who) ->
                ctx.json(Pages.of(ctx, store.users().stream().map(Views.UserView::of).toList(), Views.UserView::id)));
        r.post("/users", Role.ADMIN, "create user", (ctx, who) -> {
            NewUser u = Requests.body(ctx, json, NewUser.class);
            Requests.name(u.name(), "name");
            Requests.required(u.password(), "password");
            if (u.password().length() < 12 || u.password().length() > 1024) {
                throw ApiException.invalid("the password must have 12 to 1024 characters, got " + u.password().length(), null);
            }
            Role role;
            try {
                role = Role.parse(Requests.required(u.role(), "role"));
            } catch (IllegalArgumentException e) {
                throw ApiException.invalid(e.getMessage(), null);
            }
            try {
                User created = access.createUser(u.name(), role, u.password().toCharArray());
                ctx.status(201).json(Views.UserView.of(created));
            } catch (ConflictException e) {
                throw ApiException.conflict("user '" + u.name() + "' already exists", "choose another name");
            }
        });
        r.post("/tokens", Role.VIEWER, "create token", (ctx, who) -> {
            NewToken t = Requests.body(ctx, json, NewToken.class);
            Requests.name(t.name(), "name");
            Long secs = t.expiresInSeconds();
            if (secs != null && (secs < 60 || secs > 366L * 86400)) {
                throw ApiException.invalid("expiresInSeconds must be 60..31622400 (or absent for no expiry), got " + secs, null);
            }
            var issued = access.issue(store.user(who.id()).orElseThrow(), t.name(), secs == null ? null : Duration.ofSeconds(secs));
            ctx.status(201).json(new TokenView(issued.token().id(), t.name(), issued.secret(), issued.token().expiresAt()));
        });
        r.delete("/tokens/{id}", Role.VIEWER, "delete token", (ctx, who) -> {
            String id = ctx.pathParam("id");
            boolean mine = store.tokens(who.id()).stream().anyMatch(t -> t.id().equals(id));
            if (!mine && !who.role().allows(Role.ADMIN)) throw ApiException.notFound("token", id);
            store.deleteToken(id);
            ctx.status(204);
        });
        r.get("/audit", Role.ADMIN, (ctx, who) -> {
            int limit = Requests.limit(ctx);
            String after = ctx.queryParam("after");
            Long afterSeq;
            try {
                afterSeq = after == null ? null : Long.parseLong(after);
            } catch (NumberFormatException e) {
                throw ApiException.invalid("cursor 'after' of the audit log is a sequence number, got '" + after + "'", null);
            }
            List<AuditEntry> items = store.audit(limit + 1, afterSeq, ctx.queryParam("actor"));
            String next = items.size() > limit ? String.valueOf(items.get(limit - 1).seq()) : null;
            ctx.json(new Views.Page<>(items.subList(0, Math.min(limit, items.size())), next));
        });
    }

    private AccessApi() {}
}
