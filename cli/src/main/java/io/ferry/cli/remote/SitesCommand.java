package io.ferry.cli.remote;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.JsonNode;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code ferry sites [create]}: the sites, groups of hosts in one location. */
@Command(name = "sites", mixinStandardHelpOptions = true, description = "List sites, or create one.",
        subcommands = SitesCommand.Create.class)
public final class SitesCommand extends RemoteCommand {
    @Override
    int execute() {
        List<JsonNode> sites = client().list("/sites", Map.of());
        if (json()) {
            Json.print(out(), sites);
            return 0;
        }
        Table t = new Table("name", "description", "created", "id");
        for (JsonNode s : sites) {
            t.row(Json.text(s, "name"), Json.text(s, "description"), age(Json.text(s, "createdAt")), Json.text(s, "id"));
        }
        t.print(out());
        return 0;
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a site (ADMIN).")
    public static final class Create extends RemoteCommand {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;
        @Option(names = "--description", paramLabel = "TEXT")
        String description;

        @Override
        int execute() {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("name", name);
            if (description != null) {
                body.put("description", description);
            }
            JsonNode s = client().post("/sites", body);
            if (json()) {
                Json.print(out(), s);
            } else {
                out().printf("created site %s (id %s)%n", Json.text(s, "name"), Json.text(s, "id"));
                out().printf("add a host to it: `ferry registration-key %s`%n", Json.text(s, "name"));
                out().flush();
            }
            return 0;
        }
    }
}
