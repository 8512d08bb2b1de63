package io.ferry.cli.remote;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tools.jackson.databind.JsonNode;

import java.io.Console;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code ferry login}: logs in to a vault and saves the vault, the token and its CA certificate. */
@Command(name = "login", mixinStandardHelpOptions = true,
        description = {"Log in to a vault and remember it.",
                "The login is saved in ~/.config/ferry/cli.json (or the file FERRY_CONFIG names), mode 0600.",
                "The vault's CA certificate is saved with the token: later commands trust only that CA."})
public final class LoginCommand extends RemoteCommand {
    @Option(names = "--vault", paramLabel = "URL", description = "The vault, e.g. https://vault.example:8443 (default: the last one logged in to).")
    String vault;
    @Option(names = "--ca-file", paramLabel = "FILE",
            description = "The vault's CA certificate, PEM (default: the one saved for this vault, else the JDK's CAs).")
    Path caFile;
    @Option(names = "--user", paramLabel = "NAME", description = "User name (asked for on a terminal if not given).")
    String user;
    @Option(names = "--password-stdin", description = "Read the password from the first line of standard input.")
    boolean passwordStdin;

    @Override
    int execute() throws IOException {
        CliConfig config = config();
        String url = vault != null ? vault : config.savedVault();
        if (url == null) {
            throw usage("which vault? give --vault https://HOST:8443");
        }
        URI uri = VaultClient.normalize(url);
        String ca = null;
        if (caFile != null) {
            try {
                ca = Files.readString(caFile, StandardCharsets.US_ASCII);
            } catch (IOException e) {
                throw usage("cannot read the CA certificate " + caFile + ": " + e.getMessage());
            }
            VaultClient.trusting(ca); // refuses a file that holds no certificate before anything else
        } else if (config.savedVault() != null && VaultClient.normalize(config.savedVault()).equals(uri)) {
            ca = config.caPem();
        }
        Console console = RemoteEnv.terminal();
        String name = user;
        if (name == null) {
            if (console == null) {
                throw usage("no terminal to ask for the user name: give --user NAME");
            }
            name = console.readLine("user: ");
            if (name == null || name.isBlank()) {
                throw usage("no user name given");
            }
            name = name.trim();
        }
        String password;
        if (passwordStdin) {
            password = RemoteEnv.readStdinLine("password");
        } else {
            if (console == null) {
                throw usage("no terminal to ask for the password: pipe it in with --password-stdin");
            }
            char[] p = console.readPassword("password for %s at %s: ", name, uri);
            if (p == null || p.length == 0) {
                throw usage("no password given");
            }
            password = new String(p);
        }
        JsonNode answer = new VaultClient(uri, null, ca).login(name, password);
        String token = Json.text(answer, "token");
        if (token == null) {
            throw VaultException.answer(500, "INTERNAL", "the vault's answer to the login has no token", "is " + uri + " a Ferry vault?");
        }
        CliConfig saved = config.withSaved(uri.toString(), token, ca);
        saved.save();
        JsonNode u = Json.object(answer, "user");
        if (json()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("vault", uri.toString());
            m.put("user", u);
            m.put("expiresAt", Json.text(answer, "expiresAt"));
            m.put("config", saved.file().toString());
            Json.print(out(), m);
        } else {
            String expires = Json.text(answer, "expiresAt");
            out().printf("logged in to %s as %s (%s)%s%n", uri, Json.text(u, "name") != null ? Json.text(u, "name") : name,
                    Json.text(u, "role"), expires == null ? "" : "; the session ends " + age(expires));
            if (config.tokenFromEnvironment()) {
                err().println("note: FERRY_TOKEN is set and overrides the token saved now");
            }
            out().flush();
        }
        return 0;
    }
}
