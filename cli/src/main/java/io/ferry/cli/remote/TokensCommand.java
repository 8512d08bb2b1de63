package io.ferry.cli.remote;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.JsonNode;

import java.util.LinkedHashMap;
import java.util.Map;

/** {@code ferry tokens create|delete}: API tokens for scripts, acting as the user who creates them. */
@Command(name = "tokens", mixinStandardHelpOptions = true,
        description = {"Create and revoke API tokens.", "Scripts use them as FERRY_VAULT=URL FERRY_TOKEN=TOKEN ferry …"},
        subcommands = {TokensCommand.Create.class, TokensCommand.Delete.class})
public final class TokensCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Create an API token with your identity and role. Its secret is shown once.")
    public static final class Create extends RemoteCommand {
        @Parameters(index = "0", paramLabel = "NAME", description = "What the token is for.")
        String name;
        @Option(names = "--expires-in", paramLabel = "DURATION", converter = DurationConverter.class,
                description = "Lifetime, e.g. 30d (default: no expiry).")
        Long expiresIn;

        @Override
        int execute() {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("name", name);
            if (expiresIn != null) {
                body.put("expiresInSeconds", expiresIn);
            }
            JsonNode t = client().post("/tokens", body);
            if (json()) {
                Json.print(out(), t);
            } else {
                String exp = Json.text(t, "expiresAt");
                out().printf("token %s (id %s), %s:%n  %s%n", Json.text(t, "name"), Json.text(t, "id"),
                        exp == null ? "does not expire" : "expires " + age(exp), Json.text(t, "token"));
                out().println("It is shown only now. Revoke it with `ferry tokens delete " + Json.text(t, "id") + "`.");
                out().flush();
            }
            return 0;
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Revoke an API token.")
    public static final class Delete extends RemoteCommand {
        @Parameters(index = "0", paramLabel = "TOKEN_ID")
        String id;

        @Override
        int execute() {
            client().delete("/tokens/" + VaultClient.seg(id));
            if (json()) {
                Json.print(out(), Map.of("id", id, "deleted", true));
            } else {
                out().println("revoked token " + id);
                out().flush();
            }
            return 0;
        }
    }
}
