package io.ferry.cli.remote;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.JsonNode;

import java.util.Map;
import java.util.UUID;

/** {@code ferry reprotect MACHINE}: replicate a committed machine back to the other site. */
@Command(name = "reprotect", mixinStandardHelpOptions = true,
        description = {"Replicate a COMMITTED machine from where it runs now back to the other site (OPERATOR).",
                "The other side's old copy seeds the repository locally, so only chunks that differ cross the network.",
                "With --wait, the exit code is 0 once the job succeeded, 1 if it failed or was cancelled."})
public final class ReprotectCommand extends RemoteCommand {
    @Parameters(index = "0", paramLabel = "MACHINE", description = "Machine name, machine id or protected machine id.")
    String machine;
    @Option(names = "--wait", description = "Follow the job until it ends.")
    boolean await;
    @Mixin
    WatchOptions watchOptions;

    @Override
    int execute() throws InterruptedException {
        JsonNode pm = resolver().protectedMachine(machine);
        JsonNode job = client().post("/protected-machines/" + VaultClient.seg(Json.text(pm, "id")) + "/reprotect", Map.of(),
                UUID.randomUUID().toString());
        return ProtectCommand.started(this, job, "reprotecting " + Json.text(pm, "machineName"), await, watchOptions);
    }
}
