package io.ferry.cli.remote;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.JsonNode;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/** {@code ferry test-failover MACHINE [--point P] | --cleanup}: a drill, and its cleanup. */
@Command(name = "test-failover", mixinStandardHelpOptions = true,
        description = {"Start a drill (OPERATOR): a copy of the machine boots at the recovery site from a point,",
                "on an isolated network with new MACs; replication goes on. --cleanup removes everything it made.",
                "With --wait, the exit code is 0 once the job succeeded, 1 if it failed or was cancelled."})
public final class TestFailoverCommand extends RemoteCommand {
    @Parameters(index = "0", paramLabel = "MACHINE", description = "Machine name, machine id or protected machine id.")
    String machine;
    @Option(names = "--point", paramLabel = "POINT",
            description = "latest (default), latest-processed, latest-app-consistent or a point id.")
    String point;
    @Option(names = "--name", paramLabel = "DOMAIN", description = "Name of the drill's domain (default MACHINE-test).")
    String name;
    @Option(names = "--network", paramLabel = "NETWORK", description = "Join this recovery-site network instead of a new isolated one.")
    String network;
    @Option(names = "--cleanup", description = "Remove the drill's domain, overlays, export and network.")
    boolean cleanup;
    @Option(names = "--wait", description = "Follow the job until it ends.")
    boolean await;
    @Mixin
    WatchOptions watchOptions;

    @Override
    int execute() throws InterruptedException {
        JsonNode pm = resolver().protectedMachine(machine);
        String base = "/protected-machines/" + VaultClient.seg(Json.text(pm, "id"));
        if (cleanup) {
            if (point != null || name != null || network != null) {
                throw new IllegalArgumentException("--cleanup takes no --point, --name or --network");
            }
            JsonNode job = client().post(base + "/test-failover/cleanup", Map.of(), UUID.randomUUID().toString());
            return ProtectCommand.started(this, job, "cleaning up the drill of " + Json.text(pm, "machineName"), await, watchOptions);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        if (point != null) body.put("point", point);
        if (name != null) body.put("domainName", name);
        if (network != null) body.put("network", network);
        JsonNode job = client().post(base + "/test-failover", body, UUID.randomUUID().toString());
        return ProtectCommand.started(this, job, "drill of " + Json.text(pm, "machineName") + " from point "
                + (point == null ? "latest" : point), await, watchOptions);
    }
}
