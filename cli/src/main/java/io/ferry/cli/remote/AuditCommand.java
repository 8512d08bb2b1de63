package io.ferry.cli.remote;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tools.jackson.databind.JsonNode;

import java.util.List;

/** {@code ferry audit}: the vault's audit log, newest first (ADMIN). */
@Command(name = "audit", mixinStandardHelpOptions = true, description = "Show the audit log, newest first (ADMIN).")
public final class AuditCommand extends RemoteCommand {
    @Option(names = "--actor", paramLabel = "USER", description = "Only entries of this user.")
    String actor;
    @Option(names = "--before", paramLabel = "SEQ", description = "Only entries older than this sequence number (to page back).")
    String before;
    @Option(names = "--limit", paramLabel = "N", defaultValue = "50", description = "Show at most N entries (default ${DEFAULT-VALUE}).")
    int limit;

    @Override
    int execute() {
        if (limit < 1) {
            throw usage("--limit must be at least 1");
        }
        List<JsonNode> entries = client().list("/audit", query("actor", actor, "after", before), limit);
        if (json()) {
            Json.print(out(), entries);
            return 0;
        }
        Table t = new Table("seq", "at", "actor", "role", "action", "target", "outcome", "status", "detail");
        for (JsonNode e : entries) {
            t.row(Json.text(e, "seq"), age(Json.text(e, "at")), Json.text(e, "actor"), Json.text(e, "role"), Json.text(e, "action"),
                    Json.text(e, "target"), Json.text(e, "outcome"), Json.text(e, "status"), Json.text(e, "detail"));
        }
        t.print(out());
        if (entries.size() == limit && !entries.isEmpty()) {
            out().printf("older entries: `ferry audit --before %s`%n", Json.text(entries.get(entries.size() - 1), "seq"));
            out().flush();
        }
        return 0;
    }
}
