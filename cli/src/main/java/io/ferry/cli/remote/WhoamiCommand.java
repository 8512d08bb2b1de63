package io.ferry.cli.remote;

import picocli.CommandLine.Command;
import tools.jackson.databind.JsonNode;

/** {@code ferry whoami}: the user the saved token belongs to. */
@Command(name = "whoami", mixinStandardHelpOptions = true, description = "Show the user and role of the token in use.")
public final class WhoamiCommand extends RemoteCommand {
    @Override
    int execute() {
        JsonNode u = client().get("/auth/whoami");
        if (json()) {
            Json.print(out(), u);
        } else {
            out().printf("%s (%s) at %s%n", Json.text(u, "name"), Json.text(u, "role"), client().vault());
            out().flush();
        }
        return 0;
    }
}
