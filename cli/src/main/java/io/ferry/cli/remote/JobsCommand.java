package io.ferry.cli.remote;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** {@code ferry jobs [JOB_ID] [--watch]}, {@code ferry jobs cancel JOB_ID}: the vault's long operations. */
@Command(name = "jobs", mixinStandardHelpOptions = true,
        description = {"List jobs (newest first), show one, or watch jobs until they end.",
                "With --watch the exit code is 0 when the job(s) succeeded and 1 when one failed or was cancelled."},
        subcommands = {JobsCommand.Cancel.class, JobsCommand.Continue.class})
public final class JobsCommand extends RemoteCommand {
    @Parameters(index = "0", arity = "0..1", paramLabel = "JOB_ID", description = "Show (or watch) this job.")
    String jobId;
    @Option(names = "--state", paramLabel = "STATE", description = "Only jobs in this state: QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLING, CANCELLED.")
    String state;
    @Option(names = "--type", paramLabel = "TYPE", description = "Only jobs of this type, e.g. ENABLE_PROTECTION.")
    String type;
    @Option(names = "--target", paramLabel = "ID", description = "Only jobs on this object (e.g. a protected machine id).")
    String target;
    @Option(names = "--limit", paramLabel = "N", defaultValue = "50", description = "Show at most N jobs (default ${DEFAULT-VALUE}).")
    int limit;
    @Option(names = {"-w", "--watch"}, description = "Follow JOB_ID (or every active job) until it ends.")
    boolean watch;
    @Mixin
    WatchOptions watchOptions;

    @Override
    int execute() throws InterruptedException {
        if (watch) {
            List<String> ids = new ArrayList<>();
            if (jobId != null) {
                ids.add(jobId);
            } else {
                for (String s : List.of("QUEUED", "RUNNING", "CANCELLING")) {
                    for (JsonNode j : client().list("/jobs", query("state", s, "type", ProtectedCommand.upper(type), "targetId", target))) {
                        ids.add(Json.text(j, "id"));
                    }
                }
                if (ids.isEmpty()) {
                    if (json()) {
                        Json.print(out(), List.of());
                    } else {
                        out().println("no active jobs");
                        out().flush();
                    }
                    return 0;
                }
            }
            return JobWatcher.exitCode(watchOptions.watch(this, ids));
        }
        if (jobId != null) {
            JsonNode job = client().get("/jobs/" + VaultClient.seg(jobId));
            if (json()) {
                Json.print(out(), job);
            } else {
                detail(job);
            }
            return 0;
        }
        if (limit < 1) {
            throw usage("--limit must be at least 1");
        }
        List<JsonNode> jobs = client().list("/jobs", query("state", ProtectedCommand.upper(state), "type", ProtectedCommand.upper(type),
                "targetId", target), limit);
        if (json()) {
            Json.print(out(), jobs);
            return 0;
        }
        Table t = new Table("id", "type", "target", "state", "step", "progress", "created", "requested-by");
        for (JsonNode j : jobs) {
            t.row(Json.text(j, "id"), Json.text(j, "type"), Json.text(j, "targetName"), Json.text(j, "state"),
                    Json.text(j, "step"), JobWatcher.ended(j) ? null : JobWatcher.progress(Json.object(j, "progress")),
                    age(Json.text(j, "createdAt")), Json.text(j, "requestedBy"));
        }
        t.print(out());
        return 0;
    }

    private void detail(JsonNode job) {
        var out = out();
        out.printf("job %s: %s %s (%s)%n", Json.text(job, "id"), Json.text(job, "type"), Json.text(job, "targetName"), Json.text(job, "targetId"));
        StringBuilder st = new StringBuilder(Json.text(job, "state"));
        if (!JobWatcher.ended(job) && Json.text(job, "step") != null) {
            st.append(", step ").append(Json.text(job, "step"));
            String p = JobWatcher.progress(Json.object(job, "progress"));
            if (p != null) {
                st.append(", ").append(p);
            }
        }
        out.printf("state:        %s%n", st);
        out.printf("requested:    %s by %s%n", age(Json.text(job, "createdAt")), Json.text(job, "requestedBy"));
        if (Json.text(job, "startedAt") != null) {
            out.printf("started:      %s%n", age(Json.text(job, "startedAt")));
        }
        if (Json.text(job, "endedAt") != null) {
            out.printf("ended:        %s%n", age(Json.text(job, "endedAt")));
        }
        out.printf("cancellable:  %s%n", Json.bool(job, "cancellable") ? "yes" : "no");
        JsonNode error = Json.object(job, "error");
        if (error != null) {
            out.printf("error:        %s%n", Json.text(error, "message"));
            if (Json.text(error, "hint") != null) {
                out.printf("hint:         %s%n", Json.text(error, "hint"));
            }
        }
        JsonNode steps = job.get("steps");
        if (steps != null && steps.isArray() && !steps.isEmpty()) {
            out.println();
            Table t = new Table("step", "state", "started", "ended", "message");
            for (JsonNode s : steps) {
                t.row(Json.text(s, "name"), Json.text(s, "state"), age(Json.text(s, "startedAt")), age(Json.text(s, "endedAt")),
                        Json.text(s, "message"));
            }
            t.print(out);
        }
        out.flush();
    }

    @Command(name = "continue", mixinStandardHelpOptions = true,
            description = {"Let a job that waits for the operator go on (OPERATOR): a delta failback's complete-failover step",
                    "(it then shuts the recovery-site VM down, synchronises the rest and starts the machine at home)."})
    public static final class Continue extends RemoteCommand {
        @Parameters(index = "0", paramLabel = "JOB_ID")
        String jobId;

        @Override
        int execute() {
            JsonNode job = client().post("/jobs/" + VaultClient.seg(jobId) + "/continue", null);
            if (json()) {
                Json.print(out(), job);
            } else {
                out().printf("job %s goes on: %s at step %s%n", Json.text(job, "id"), Json.text(job, "state"), Json.text(job, "step"));
            }
            out().flush();
            return 0;
        }
    }

    @Command(name = "cancel", mixinStandardHelpOptions = true,
            description = {"Cancel a job (OPERATOR).",
                    "It stops at its next safe point and leaves its machine in a recoverable state.",
                    "With --wait the exit code is 0 once the job is CANCELLED, 1 if it ended otherwise."})
    public static final class Cancel extends RemoteCommand {
        @Parameters(index = "0", paramLabel = "JOB_ID")
        String jobId;
        @Option(names = "--wait", description = "Wait until the job has stopped.")
        boolean await;
        @Mixin
        WatchOptions watchOptions;

        @Override
        int execute() throws InterruptedException {
            JsonNode job = client().post("/jobs/" + VaultClient.seg(jobId) + "/cancel", null, UUID.randomUUID().toString());
            if (await) {
                List<JsonNode> end = watchOptions.watch(this, List.of(jobId));
                return "CANCELLED".equals(Json.text(end.get(0), "state")) ? 0 : 1;
            }
            if (json()) {
                Json.print(out(), job);
            } else {
                out().printf("job %s: %s%n", Json.text(job, "id"), Json.text(job, "state"));
                if (!JobWatcher.ended(job)) {
                    out().printf("follow it with `ferry jobs --watch %s`%n", Json.text(job, "id"));
                }
                out().flush();
            }
            return 0;
        }
    }
}
