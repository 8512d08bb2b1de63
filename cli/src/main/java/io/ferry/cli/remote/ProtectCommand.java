package io.ferry.cli.remote;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.JsonNode;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** {@code ferry protect MACHINE --pairing PAIRING}: starts replicating a machine to the pairing's recovery site. */
@Command(name = "protect", mixinStandardHelpOptions = true,
        description = {"Protect a machine: replicate it to the pairing's recovery site (OPERATOR).",
                "Starts an ENABLE_PROTECTION job: change tracking, then the initial full replication.",
                "With --wait, the exit code is 0 once the job succeeded, 1 if it failed or was cancelled."})
public final class ProtectCommand extends RemoteCommand {
    @Parameters(index = "0", paramLabel = "MACHINE", description = "Machine name or id.")
    String machine;
    @Option(names = "--pairing", required = true, paramLabel = "PAIRING", description = "Pairing name or id.")
    String pairing;
    @Option(names = "--wait", description = "Follow the job until it ends.")
    boolean await;
    @Mixin
    WatchOptions watchOptions;

    @Override
    int execute() throws InterruptedException {
        JsonNode p = resolver().pairing(pairing);
        JsonNode m = resolver().machine(machine, Json.text(p, "primarySiteId"), null);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("machineId", Json.text(m, "id"));
        body.put("pairingId", Json.text(p, "id"));
        JsonNode job = client().post("/protected-machines", body, UUID.randomUUID().toString());
        return started(this, job, "protecting " + Json.text(m, "name") + " with pairing " + Json.text(p, "name"), await, watchOptions);
    }

    /** Prints a started job, or follows it with --wait; the command's exit code. */
    static int started(RemoteCommand c, JsonNode job, String what, boolean await, WatchOptions watch) throws InterruptedException {
        if (await) {
            if (!c.json()) {
                c.out().printf("%s: job %s%n", what, Json.text(job, "id"));
                c.out().flush();
            }
            return JobWatcher.exitCode(watch.watch(c, List.of(Json.text(job, "id"))));
        }
        if (c.json()) {
            Json.print(c.out(), job);
        } else {
            c.out().printf("%s: job %s %s%n", what, Json.text(job, "id"), Json.text(job, "state"));
            c.out().printf("follow it with `ferry jobs --watch %s`%n", Json.text(job, "id"));
            c.out().flush();
        }
        return 0;
    }
}
