package io.ferry.cli.remote;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.JsonNode;

import java.util.Map;
import java.util.UUID;

/** {@code ferry unprotect MACHINE}: stops replicating a machine. */
@Command(name = "unprotect", mixinStandardHelpOptions = true,
        description = {"Stop protecting a machine (OPERATOR).",
                "Starts a DISABLE_PROTECTION job; recovery points are kept unless --delete-points.",
                "With --wait, the exit code is 0 once the job succeeded, 1 if it failed or was cancelled."})
public final class UnprotectCommand extends RemoteCommand {
    @Parameters(index = "0", paramLabel = "MACHINE", description = "Machine name, machine id or protected machine id.")
    String machine;
    @Option(names = "--delete-points", description = "Also delete the machine's recovery points.")
    boolean deletePoints;
    @Option(names = "--wait", description = "Follow the job until it ends.")
    boolean await;
    @Mixin
    WatchOptions watchOptions;

    @Override
    int execute() throws InterruptedException {
        JsonNode pm = resolver().protectedMachine(machine);
        JsonNode job = client().post("/protected-machines/" + VaultClient.seg(Json.text(pm, "id")) + "/unprotect",
                Map.of("deletePoints", deletePoints), UUID.randomUUID().toString());
        return ProtectCommand.started(this, job, "unprotecting " + Json.text(pm, "machineName")
                + (deletePoints ? " and deleting its points" : ""), await, watchOptions);
    }
}
