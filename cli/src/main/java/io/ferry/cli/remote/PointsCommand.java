package io.ferry.cli.remote;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.JsonNode;

import java.util.List;
import java.util.Map;

/** {@code ferry points MACHINE}: a protected machine's recovery points, newest first. */
@Command(name = "points", mixinStandardHelpOptions = true, description = "List the recovery points of a protected machine, newest first.")
public final class PointsCommand extends RemoteCommand {
    @Parameters(index = "0", paramLabel = "MACHINE", description = "Machine name, machine id or protected machine id.")
    String machine;

    @Override
    int execute() {
        JsonNode pm = resolver().protectedMachine(machine);
        List<JsonNode> points = client().list("/protected-machines/" + VaultClient.seg(Json.text(pm, "id")) + "/points", Map.of());
        if (json()) {
            Json.print(out(), points);
            return 0;
        }
        Table t = new Table("id", "created", "consistency", "mode", "read", "stored", "state");
        for (JsonNode p : points) {
            t.row(Json.text(p, "id"), age(Json.text(p, "createdAt")), Json.text(p, "consistency"), Json.text(p, "mode"),
                    Units.bytes(Json.longValue(p, "bytesRead", 0)), Units.bytes(Json.longValue(p, "bytesStored", 0)), Json.text(p, "state"));
        }
        t.print(out());
        return 0;
    }
}
