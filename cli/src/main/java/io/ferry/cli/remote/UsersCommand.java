package io.ferry.cli.remote;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.JsonNode;

import java.io.Console;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code ferry users [create]}: API users and their roles (ADMIN). */
@Command(name = "users", mixinStandardHelpOptions = true, description = "List users, or create one (ADMIN).",
        subcommands = UsersCommand.Create.class)
public final class UsersCommand extends RemoteCommand {
    /** The roles a user can have, least first. */
    enum Role { VIEWER, OPERATOR, ADMIN }

    @Override
    int execute() {
        List<JsonNode> users = client().list("/users", Map.of());
        if (json()) {
            Json.print(out(), users);
            return 0;
        }
        Table t = new Table("name", "role", "created", "disabled", "id");
        for (JsonNode u : users) {
            t.row(Json.text(u, "name"), Json.text(u, "role"), age(Json.text(u, "createdAt")), Json.bool(u, "disabled") ? "yes" : "no",
                    Json.text(u, "id"));
        }
        t.print(out());
        return 0;
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = {"Create a user (ADMIN).",
                    "VIEWER may only read; OPERATOR may also protect, unprotect, cancel jobs and manage policies and",
                    "pairings; ADMIN may do everything."})
    public static final class Create extends RemoteCommand {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;
        @Option(names = "--role", required = true, paramLabel = "ROLE", description = "VIEWER, OPERATOR or ADMIN.")
        Role role;
        @Option(names = "--password-stdin", description = "Read the password from the first line of standard input.")
        boolean passwordStdin;

        @Override
        int execute() {
            String password;
            if (passwordStdin) {
                password = RemoteEnv.readStdinLine("password");
            } else {
                Console console = RemoteEnv.terminal();
                if (console == null) {
                    throw usage("no terminal to ask for the password: pipe it in with --password-stdin");
                }
                char[] first = console.readPassword("password for %s: ", name);
                char[] again = console.readPassword("the same again: ");
                if (first == null || again == null || !Arrays.equals(first, again)) {
                    throw usage("the passwords differ");
                }
                password = new String(first);
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("name", name);
            body.put("password", password);
            body.put("role", role.name());
            JsonNode u = client().post("/users", body);
            if (json()) {
                Json.print(out(), u);
            } else {
                out().printf("created user %s (%s, id %s)%n", Json.text(u, "name"), Json.text(u, "role"), Json.text(u, "id"));
                out().flush();
            }
            return 0;
        }
    }
}
