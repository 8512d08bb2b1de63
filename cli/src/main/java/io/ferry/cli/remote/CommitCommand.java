package io.ferry.cli.remote;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.JsonNode;

import java.util.Map;
import java.util.UUID;

/** {@code ferry commit MACHINE}: accept a failover. */
@Command(name = "commit", mixinStandardHelpOptions = true,
        description = {"Accept a failover (OPERATOR): the recovery VM's disks become its own (no longer read from",
                "the repository) and the machine is COMMITTED. Until then `ferry change-point` can pick another point.",
                "With --wait, the exit code is 0 once the job succeeded, 1 if it failed or was cancelled."})
public final class CommitCommand extends RemoteCommand {
    @Parameters(index = "0", paramLabel = "MACHINE", description = "Machine name, machine id or protected machine id.")
    String machine;
    @Option(names = "--wait", description = "Follow the job until it ends.")
    boolean await;
    @Mixin
    WatchOptions watchOptions;

    @Override
    int execute() throws InterruptedException {
        JsonNode pm = resolver().protectedMachine(machine);
        JsonNode job = client().post("/protected-machines/" + VaultClient.seg(Json.text(pm, "id")) + "/commit", Map.of(),
                UUID.randomUUID().toString());
        return ProtectCommand.started(this, job, "committing the failover of " + Json.text(pm, "machineName"), await, watchOptions);
    }
}
