package io.ferry.cli.remote;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tools.jackson.databind.JsonNode;

import java.util.List;
import java.util.Map;

/** {@code ferry machines}: the virtual machines the agents report, and whether they are protected. */
@Command(name = "machines", mixinStandardHelpOptions = true, description = "List virtual machines on the registered hosts.")
public final class MachinesCommand extends RemoteCommand {
    @Option(names = "--site", paramLabel = "SITE", description = "Only machines of this site (name or id).")
    String site;
    @Option(names = "--host", paramLabel = "HOST", description = "Only machines of this host (name or id).")
    String host;

    @Override
    int execute() {
        String siteId = site == null ? null : Json.text(resolver().site(site), "id");
        String hostId = host == null ? null : Json.text(resolver().host(host, siteId), "id");
        List<JsonNode> machines = client().list("/machines", query("siteId", siteId, "hostId", hostId));
        if (json()) {
            Json.print(out(), machines);
            return 0;
        }
        Map<String, String> hosts = resolver().names("/hosts");
        Table t = new Table("name", "host", "power", "disks", "protection", "health", "rpo", "id");
        for (JsonNode m : machines) {
            JsonNode disks = m.get("disks");
            long capacity = 0;
            int n = 0;
            if (disks != null && disks.isArray()) {
                for (JsonNode d : disks) {
                    capacity += Json.longValue(d, "capacityBytes", 0);
                    n++;
                }
            }
            JsonNode p = Json.object(m, "protection");
            Double rpo = Json.number(p, "rpoSeconds");
            t.row(Json.text(m, "name"), hosts.getOrDefault(Json.text(m, "hostId"), Json.text(m, "hostId")), Json.text(m, "powerState"),
                    n + " (" + Units.bytes(capacity) + ")", p == null ? "unprotected" : Json.text(p, "state"),
                    Json.text(p, "health"), rpo == null ? null : Units.duration(Math.round(rpo)), Json.text(m, "id"));
        }
        t.print(out());
        return 0;
    }
}
