package io.ferry.cli.remote;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tools.jackson.databind.JsonNode;

import java.util.List;
import java.util.Map;

/** {@code ferry hosts}: the registered KVM hosts and whether their agents report. */
@Command(name = "hosts", mixinStandardHelpOptions = true, description = "List registered hosts and their agents' status.")
public final class HostsCommand extends RemoteCommand {
    @Option(names = "--site", paramLabel = "SITE", description = "Only hosts of this site (name or id).")
    String site;

    @Override
    int execute() {
        String siteId = site == null ? null : Json.text(resolver().site(site), "id");
        List<JsonNode> hosts = client().list("/hosts", query("siteId", siteId));
        if (json()) {
            Json.print(out(), hosts);
            return 0;
        }
        Map<String, String> sites = resolver().names("/sites");
        Table t = new Table("name", "site", "status", "last-heartbeat", "agent", "data-address", "id");
        for (JsonNode h : hosts) {
            t.row(Json.text(h, "name"), sites.getOrDefault(Json.text(h, "siteId"), Json.text(h, "siteId")), Json.text(h, "status"),
                    age(Json.text(h, "lastHeartbeatAt")), Json.text(h, "agentVersion"), Json.text(h, "dataAddress"), Json.text(h, "id"));
        }
        t.print(out());
        return 0;
    }
}
