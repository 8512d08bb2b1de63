package io.ferry.cli.remote;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import tools.jackson.databind.JsonNode;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Follows jobs until they end by polling {@code GET /jobs/{id}}: progress bars on stderr when a
 * person watches a terminal; otherwise one line on stdout each time a job's state, step or whole
 * percent changes; nothing at all with JSON output. Survives a vault that goes away for a while
 * (jobs resume after a vault restart): retries for up to two minutes before giving up.
 */
final class JobWatcher {
    static final Set<String> ENDED = Set.of("SUCCEEDED", "FAILED", "CANCELLED");
    private static final Duration GIVE_UP = Duration.ofMinutes(2);
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss", Locale.ROOT);

    private final VaultClient client;
    private final PrintWriter out;
    private final PrintWriter err;
    private final boolean bars;
    private final boolean quiet;
    private final long intervalMillis;
    private final Map<String, String> lastLine = new HashMap<>();
    private final Map<String, Bar> open = new HashMap<>();

    /** A progress bar of one job for one step, counting bytes or steps. */
    private record Bar(String step, boolean bytes, ProgressBar bar) { }

    /**
     * @param bars  progress bars on stderr (a terminal) instead of lines on stdout
     * @param quiet neither bars nor lines (JSON output: only the final jobs are printed, by the caller)
     */
    JobWatcher(VaultClient client, PrintWriter out, PrintWriter err, boolean bars, boolean quiet, long intervalMillis) {
        this.client = client;
        this.out = out;
        this.err = err;
        this.bars = bars && !quiet;
        this.quiet = quiet;
        this.intervalMillis = intervalMillis;
    }

    static boolean ended(JsonNode job) {
        return ENDED.contains(Json.text(job, "state"));
    }

    /** Polls the jobs every interval until all have ended; returns their final states, in order. */
    List<JsonNode> watch(List<String> jobIds) throws InterruptedException {
        Map<String, JsonNode> last = new LinkedHashMap<>();
        for (String id : jobIds) {
            last.put(id, null);
        }
        List<String> active = new ArrayList<>(jobIds);
        Instant lostSince = null;
        try {
            while (!active.isEmpty()) {
                for (String id : List.copyOf(active)) {
                    JsonNode job;
                    try {
                        job = client.get("/jobs/" + VaultClient.seg(id));
                        if (lostSince != null) {
                            note("the vault answers again");
                            lostSince = null;
                        }
                    } catch (VaultException e) {
                        if (e.exitCode() != VaultException.FAILED) {
                            throw e;
                        }
                        Instant now = Instant.now();
                        if (lostSince == null) {
                            lostSince = now;
                            note("lost the vault (" + e.getMessage() + "); retrying for up to " + Units.duration(GIVE_UP.toSeconds())
                                    + " - the job goes on without us");
                        } else if (Duration.between(lostSince, now).compareTo(GIVE_UP) > 0) {
                            throw e;
                        }
                        break;
                    }
                    last.put(id, job);
                    show(job);
                    if (ended(job)) {
                        finish(job);
                        active.remove(id);
                    }
                }
                if (!active.isEmpty()) {
                    Thread.sleep(intervalMillis);
                }
            }
        } finally {
            for (Bar b : open.values()) {
                b.bar().close();
            }
            open.clear();
        }
        return new ArrayList<>(last.values());
    }

    private void note(String message) {
        if (!quiet) {
            err.println("ferry: " + message);
            err.flush();
        }
    }

    private void show(JsonNode job) {
        if (quiet) {
            return;
        }
        if (bars) {
            showBar(job);
            return;
        }
        JsonNode p = Json.object(job, "progress");
        Double pct = Json.number(p, "percent");
        String key = Json.text(job, "state") + "|" + Json.text(job, "step") + "|" + (pct == null ? "" : (int) Math.floor(pct));
        if (!key.equals(lastLine.put(Json.text(job, "id"), key))) {
            out.println(CLOCK.format(RemoteEnv.clock().instant().atZone(ZoneId.systemDefault())) + " " + describe(job));
            out.flush();
        }
    }

    /** One line for a job: {@code job ID TYPE TARGET: STATE step (45% of 2.0 GiB, eta 30s)}. */
    static String describe(JsonNode job) {
        StringBuilder sb = new StringBuilder("job ").append(Json.text(job, "id")).append(' ').append(Json.text(job, "type"))
                .append(' ').append(Json.text(job, "targetName")).append(": ").append(Json.text(job, "state"));
        String step = Json.text(job, "step");
        if (step != null && !ended(job)) {
            sb.append(' ').append(step);
        }
        String p = progress(Json.object(job, "progress"));
        if (p != null && !ended(job)) {
            sb.append(" (").append(p).append(')');
        }
        return sb.toString();
    }

    /** {@code 45% of 2.0 GiB, eta 30s}, whole percents only; null without progress. */
    static String progress(JsonNode p) {
        if (p == null) {
            return null;
        }
        Double pct = Json.number(p, "percent");
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%d%%", pct == null ? 0 : (int) Math.floor(pct)));
        long total = Json.longValue(p, "bytesTotal", 0);
        if (total > 0) {
            sb.append(" of ").append(Units.bytes(total));
        }
        long eta = Json.longValue(p, "etaSeconds", -1);
        if (eta >= 0) {
            sb.append(", eta ").append(Units.duration(eta));
        }
        return sb.toString();
    }

    private void showBar(JsonNode job) {
        String id = Json.text(job, "id");
        String step = Json.text(job, "step") == null ? "" : Json.text(job, "step");
        JsonNode p = Json.object(job, "progress");
        long total = Json.longValue(p, "bytesTotal", 0);
        boolean bytes = total > 0;
        Bar b = open.get(id);
        if (b != null && (!b.step().equals(step) || b.bytes() != bytes)) {
            if (!b.step().isEmpty() && !b.step().equals(step)) {
                b.bar().stepTo(b.bar().getMax()); // the step is done
            }
            b.bar().close();
            open.remove(id);
            b = null;
        }
        JsonNode steps = job.get("steps");
        int stepCount = steps != null && steps.isArray() ? steps.size() : 0;
        if (b == null) {
            ProgressBarBuilder builder = new ProgressBarBuilder()
                    .setTaskName(Json.text(job, "targetName") + " " + Json.text(job, "type").toLowerCase(Locale.ROOT).replace('_', '-'))
                    .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(250);
            if (bytes) {
                builder.setInitialMax(total).setUnit(" MiB", 1 << 20).showSpeed();
            } else {
                builder.setInitialMax(Math.max(stepCount, 1)).hideEta();
            }
            b = new Bar(step, bytes, builder.build());
            open.put(id, b);
        }
        if (bytes) {
            if (b.bar().getMax() != total) {
                b.bar().maxHint(total);
            }
            b.bar().stepTo(Json.longValue(p, "bytesDone", 0));
        } else {
            int done = 0;
            if (steps != null) {
                for (JsonNode s : steps) {
                    String st = Json.text(s, "state");
                    if ("DONE".equals(st) || "SKIPPED".equals(st)) {
                        done++;
                    }
                }
            }
            b.bar().stepTo(done);
        }
        b.bar().setExtraMessage((" " + Json.text(job, "state").toLowerCase(Locale.ROOT) + " " + step).stripTrailing());
    }

    private void finish(JsonNode job) {
        Bar b = open.remove(Json.text(job, "id"));
        if (b != null) {
            if ("SUCCEEDED".equals(Json.text(job, "state"))) {
                b.bar().stepTo(b.bar().getMax());
            }
            b.bar().close();
        }
        if (quiet) {
            return;
        }
        out.println(outcome(job));
        JsonNode error = Json.object(job, "error");
        if (error != null && Json.text(error, "hint") != null) {
            out.println("hint: " + Json.text(error, "hint"));
        }
        out.flush();
    }

    /** The last line about an ended job: what it did, how long it took, or why it failed. */
    static String outcome(JsonNode job) {
        String state = Json.text(job, "state");
        StringBuilder sb = new StringBuilder("job ").append(Json.text(job, "id")).append(' ').append(state).append(": ")
                .append(Json.text(job, "type")).append(' ').append(Json.text(job, "targetName"));
        Instant started = Json.time(job, "startedAt");
        Instant endedAt = Json.time(job, "endedAt");
        if (!"SUCCEEDED".equals(state) && Json.text(job, "step") != null) {
            sb.append(" at step ").append(Json.text(job, "step"));
        }
        if (started != null && endedAt != null) {
            sb.append(" after ").append(Units.duration(Duration.between(started, endedAt).getSeconds()));
        }
        JsonNode error = Json.object(job, "error");
        if (error != null && Json.text(error, "message") != null) {
            sb.append(": ").append(Json.text(error, "message"));
        }
        return sb.toString();
    }

    /** 0 when every job succeeded, 1 otherwise. */
    static int exitCode(List<JsonNode> jobs) {
        for (JsonNode j : jobs) {
            if (j == null || !"SUCCEEDED".equals(Json.text(j, "state"))) {
                return 1;
            }
        }
        return 0;
    }
}
