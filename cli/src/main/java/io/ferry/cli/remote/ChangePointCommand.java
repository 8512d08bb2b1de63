package io.ferry.cli.remote;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.JsonNode;

import java.util.Map;
import java.util.UUID;

/** {@code ferry change-point MACHINE --point P}: before commit, run the failed-over machine from another point. */
@Command(name = "change-point", mixinStandardHelpOptions = true,
        description = {"Before commit, run the failed-over machine from another point (OPERATOR).",
                "With --wait, the exit code is 0 once the job succeeded, 1 if it failed or was cancelled."})
public final class ChangePointCommand extends RemoteCommand {
    @Parameters(index = "0", paramLabel = "MACHINE", description = "Machine name, machine id or protected machine id.")
    String machine;
    @Option(names = "--point", required = true, paramLabel = "POINT",
            description = "latest, latest-processed, latest-app-consistent or a point id.")
    String point;
    @Option(names = "--wait", description = "Follow the job until it ends.")
    boolean await;
    @Mixin
    WatchOptions watchOptions;

    @Override
    int execute() throws InterruptedException {
        JsonNode pm = resolver().protectedMachine(machine);
        JsonNode job = client().post("/protected-machines/" + VaultClient.seg(Json.text(pm, "id")) + "/change-point",
                Map.of("point", point), UUID.randomUUID().toString());
        return ProtectCommand.started(this, job, "running " + Json.text(pm, "machineName") + " from point " + point, await, watchOptions);
    }
}
