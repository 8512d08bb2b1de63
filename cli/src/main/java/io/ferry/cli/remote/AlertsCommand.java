package io.ferry.cli.remote;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tools.jackson.databind.JsonNode;

import java.util.List;
import java.util.Locale;

/** {@code ferry alerts [--all]}: active alerts (RPO breached, agent silent…), newest first. */
@Command(name = "alerts", mixinStandardHelpOptions = true, description = "List active alerts, newest first (--all: cleared ones too).")
public final class AlertsCommand extends RemoteCommand {
    @Option(names = "--all", description = "Also alerts that have cleared.")
    boolean all;
    @Option(names = "--limit", paramLabel = "N", defaultValue = "100", description = "Show at most N alerts (default ${DEFAULT-VALUE}).")
    int limit;

    @Override
    int execute() {
        if (limit < 1) {
            throw usage("--limit must be at least 1");
        }
        List<JsonNode> alerts = client().list("/alerts", query("active", all ? null : "true"), limit);
        if (json()) {
            Json.print(out(), alerts);
            return 0;
        }
        Table t = all ? new Table("severity", "kind", "object", "message", "raised", "cleared")
                : new Table("severity", "kind", "object", "message", "raised");
        for (JsonNode a : alerts) {
            String object = Json.text(a, "objectKind") == null ? Json.text(a, "objectId")
                    : Json.text(a, "objectKind").toLowerCase(Locale.ROOT).replace('_', '-') + " " + Json.text(a, "objectId");
            if (all) {
                t.row(Json.text(a, "severity"), Json.text(a, "kind"), object, Json.text(a, "message"), age(Json.text(a, "raisedAt")),
                        age(Json.text(a, "clearedAt")));
            } else {
                t.row(Json.text(a, "severity"), Json.text(a, "kind"), object, Json.text(a, "message"), age(Json.text(a, "raisedAt")));
            }
        }
        if (t.size() == 0 && !all) {
            out().println("no active alerts");
            out().flush();
            return 0;
        }
        t.print(out());
        return 0;
    }
}
