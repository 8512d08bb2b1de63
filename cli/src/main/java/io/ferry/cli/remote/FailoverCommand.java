package io.ferry.cli.remote;

import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.JsonNode;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/** {@code ferry failover MACHINE --planned | --unplanned [--point P] [--shutdown-source]}. */
@Command(name = "failover", mixinStandardHelpOptions = true,
        description = {"Fail a machine over to the recovery site (OPERATOR).",
                "--planned: shut the source down cleanly, final sync, start at the recovery site: no data loss;",
                "  refused (nothing changed) if the source cannot shut down.",
                "--unplanned: start from a point (default latest), optionally trying to shut the source down first.",
                "Then `ferry commit MACHINE`, or `ferry change-point MACHINE --point P` before that.",
                "With --wait, the exit code is 0 once the job succeeded, 1 if it failed or was cancelled."})
public final class FailoverCommand extends RemoteCommand {
    static final class Kind {
        @Option(names = "--planned", required = true, description = "Planned failover (no data loss).")
        boolean planned;
        @Option(names = "--unplanned", required = true, description = "Unplanned failover from a point.")
        boolean unplanned;
    }

    @Parameters(index = "0", paramLabel = "MACHINE", description = "Machine name, machine id or protected machine id.")
    String machine;
    @ArgGroup(exclusive = true, multiplicity = "1")
    Kind kind;
    @Option(names = "--point", paramLabel = "POINT",
            description = "Unplanned: latest (default), latest-processed, latest-app-consistent or a point id.")
    String point;
    @Option(names = "--shutdown-source", description = "Unplanned: try to shut the source down first, go on if that fails.")
    boolean shutdownSource;
    @Option(names = "--shutdown-timeout", paramLabel = "DURATION", description = "How long the guest has to power off (default 2m).")
    String shutdownTimeout;
    @Option(names = "--name", paramLabel = "DOMAIN", description = "Name of the recovery VM (default: the machine's).")
    String name;
    @Option(names = "--wait", description = "Follow the job until it ends.")
    boolean await;
    @Mixin
    WatchOptions watchOptions;

    @Override
    int execute() throws InterruptedException {
        if (kind.planned && (point != null || shutdownSource)) {
            throw new IllegalArgumentException("--point and --shutdown-source are for --unplanned; a planned failover shuts down and syncs");
        }
        JsonNode pm = resolver().protectedMachine(machine);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("planned", kind.planned);
        if (point != null) body.put("point", point);
        if (shutdownSource) body.put("shutdownSource", true);
        if (shutdownTimeout != null) body.put("shutdownTimeoutSeconds", Units.parseDuration(shutdownTimeout));
        if (name != null) body.put("domainName", name);
        JsonNode job = client().post("/protected-machines/" + VaultClient.seg(Json.text(pm, "id")) + "/failover", body,
                UUID.randomUUID().toString());
        return ProtectCommand.started(this, job, (kind.planned ? "planned" : "unplanned") + " failover of "
                + Json.text(pm, "machineName"), await, watchOptions);
    }
}
