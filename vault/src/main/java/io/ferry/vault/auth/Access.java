package io.ferry.vault.auth;

import io.ferry.vault.store.Passwords;
import io.ferry.vault.store.Token;
import io.ferry.vault.store.TokenUser;
import io.ferry.vault.store.User;
import io.ferry.vault.store.VaultStore;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/** Users, passwords and bearer tokens. Tokens are random, shown once, stored as SHA-256 hashes. */
public final class Access {
    public static final Duration LOGIN_TOKEN_LIFETIME = Duration.ofHours(12);
    public static final String TOKEN_PREFIX = "fry_";

    private final VaultStore store;

    public Access(VaultStore store) {
        this.store = store;
    }

    /** A token and its expiry, as given to the caller (the only time the secret is seen). */
    public record IssuedToken(Token token, String secret, User user) {}

    /** Creates the first admin if there are no users; returns the generated password, or empty. */
    public Optional<String> bootstrapAdmin(String password) {
        if (!store.users().isEmpty()) return Optional.empty();
        String pw = password != null ? password : Secrets.newSecret("").substring(0, 24);
        store.createUser("admin", Role.ADMIN.name(), Passwords.hash(pw.toCharArray()));
        return Optional.of(pw);
    }

    public Optional<IssuedToken> login(String name, char[] password) {
        Optional<User> u = store.userByName(name);
        // verify against a dummy hash for unknown users so timing does not tell which names exist
        boolean ok = Passwords.verify(password, u.map(User::passwordHash).orElse(DUMMY));
        if (u.isEmpty() || !ok || u.get().disabled()) return Optional.empty();
        return Optional.of(issue(u.get(), "login", LOGIN_TOKEN_LIFETIME));
    }

    public IssuedToken issue(User u, String name, Duration lifetime) {
        String secret = Secrets.newSecret(TOKEN_PREFIX);
        Token t = store.createToken(u.id(), Secrets.hash(secret), name, lifetime == null ? null : Instant.now().plus(lifetime));
        return new IssuedToken(t, secret, u);
    }

    /** The user behind a bearer token, if the token exists, has not expired and the user is enabled. */
    public Optional<Principal> authenticate(String bearer) {
        if (bearer == null || !bearer.startsWith(TOKEN_PREFIX)) return Optional.empty();
        Optional<TokenUser> tu = store.tokenByHash(Secrets.hash(bearer));
        Instant now = Instant.now();
        if (tu.isEmpty() || tu.get().token().expired(now) || tu.get().user().disabled()) return Optional.empty();
        User u = tu.get().user();
        Token t = tu.get().token();
        if (t.lastUsedAt() == null || t.lastUsedAt().isBefore(now.minusSeconds(60))) store.touchToken(t.id(), now);
        return Optional.of(new Principal(u.id(), u.name(), Role.parse(u.role()), false));
    }

    public User createUser(String name, Role role, char[] password) {
        return store.createUser(name, role.name(), Passwords.hash(password));
    }

    private static final String DUMMY = Passwords.hash("not-a-password".toCharArray());
}
