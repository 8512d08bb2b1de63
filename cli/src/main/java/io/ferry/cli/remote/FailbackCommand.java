package io.ferry.cli.remote;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.JsonNode;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/** {@code ferry failback MACHINE [--full]}: a planned failover back to the machine's own host. */
@Command(name = "failback", mixinStandardHelpOptions = true,
        description = {"Fail a machine back to the primary site (its own host, or --host) while it replicates in reverse (OPERATOR).",
                "Delta (default): phase 1 while the recovery-site VM runs, then `ferry jobs continue JOB` shuts it down,",
                "  synchronises the rest and starts the machine. --full: every chunk after the shutdown, no comparison.",
                "Then `ferry commit MACHINE` and `ferry reprotect MACHINE`.",
                "With --wait, the exit code is 0 once the job succeeded, 1 if it failed or was cancelled."})
public final class FailbackCommand extends RemoteCommand {
    @Parameters(index = "0", paramLabel = "MACHINE", description = "Machine name, machine id or protected machine id.")
    String machine;
    @Option(names = "--full", description = "Full download: write every chunk, compare nothing.")
    boolean full;
    @Option(names = "--shutdown-timeout", paramLabel = "DURATION", description = "How long the guest has to power off (default 2m).")
    String shutdownTimeout;
    @Option(names = "--host", paramLabel = "HOST", description = "Alternate location: a host of the primary site (name or id);"
            + " the machine is created there if it does not exist. Default: the machine's own host.")
    String host;
    @Option(names = "--name", paramLabel = "DOMAIN", description = "The domain to fail back into (default: the machine's name).")
    String domainName;
    @Option(names = "--wait", description = "Follow the job until it ends.")
    boolean await;
    @Mixin
    WatchOptions watchOptions;

    @Override
    int execute() throws InterruptedException {
        JsonNode pm = resolver().protectedMachine(machine);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("sync", full ? "full" : "delta");
        if (shutdownTimeout != null) body.put("shutdownTimeoutSeconds", Units.parseDuration(shutdownTimeout));
        if (host != null) body.put("host", host);
        if (domainName != null) body.put("domainName", domainName);
        JsonNode job = client().post("/protected-machines/" + VaultClient.seg(Json.text(pm, "id")) + "/failback", body,
                UUID.randomUUID().toString());
        return ProtectCommand.started(this, job, (full ? "full-download" : "delta") + " failback of " + Json.text(pm, "machineName")
                + (host == null ? "" : " to " + host),
                await, watchOptions);
    }
}
