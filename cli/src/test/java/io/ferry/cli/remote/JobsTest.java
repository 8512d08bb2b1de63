package io.ferry.cli.remote;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Jobs: the list, one job, --watch until the end with its exit code, protect --wait, cancel. */
class JobsTest {
    @TempDir
    Path dir;
    FakeVault vault;
    Cli cli;

    @BeforeEach
    void start() throws Exception {
        vault = FakeVault.start();
        cli = Cli.against(vault, dir);
    }

    @AfterEach
    void stop() {
        vault.close();
    }

    private static String[] lines(String text) {
        return Arrays.stream(text.split("\n")).map(l -> l.replaceFirst("^\\d\\d:\\d\\d:\\d\\d ", "")).toArray(String[]::new);
    }

    @Test
    void watchPrintsOneLinePerChangeAndExits0WhenTheJobSucceeds() {
        vault.on("GET", "/jobs/j-1", 200, Canned.job("j-1", "QUEUED", null, null, null).toString());
        vault.on("GET", "/jobs/j-1", 200, Canned.job("j-1", "RUNNING", "initial-replication", 1L << 29, 2L << 30).toString());
        vault.on("GET", "/jobs/j-1", 200, Canned.job("j-1", "RUNNING", "initial-replication", 1L << 29, 2L << 30).toString());
        vault.on("GET", "/jobs/j-1", 200, Canned.job("j-1", "RUNNING", "initial-replication", 1L << 30, 2L << 30).toString());
        vault.on("GET", "/jobs/j-1", 200, Canned.job("j-1", "SUCCEEDED", "finish", null, null).toString());

        Cli.Result r = cli.run("jobs", "--watch", "j-1", "--poll-interval-ms", "10");

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(lines(r.out())).containsExactly(
                "job j-1 ENABLE_PROTECTION web-1: QUEUED",
                "job j-1 ENABLE_PROTECTION web-1: RUNNING initial-replication (25% of 2.0 GiB, eta 30s)",
                "job j-1 ENABLE_PROTECTION web-1: RUNNING initial-replication (50% of 2.0 GiB, eta 30s)",
                "job j-1 ENABLE_PROTECTION web-1: SUCCEEDED",
                "job j-1 SUCCEEDED: ENABLE_PROTECTION web-1 after 1m59s");
        assertThat(vault.requests("GET", "/jobs/j-1")).hasSize(5);
    }

    @Test
    void watchExits1WithTheErrorAndHintWhenTheJobFails() {
        ObjectNode failed = Canned.job("j-2", "FAILED", "initial-replication", null, null);
        ObjectNode error = failed.putObject("error");
        error.put("code", "INTERNAL");
        error.put("message", "agent kvm-a: capturing web-1: disk vda: no space left on the recovery host");
        error.put("hint", "free space in repository paris-lyon on kvm-dr, then protect web-1 again");
        vault.on("GET", "/jobs/j-2", 200, Canned.job("j-2", "RUNNING", "initial-replication", 0L, 1L << 30).toString());
        vault.on("GET", "/jobs/j-2", 200, failed.toString());

        Cli.Result r = cli.run("jobs", "--watch", "j-2", "--poll-interval-ms", "10");

        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).endsWith("job j-2 FAILED: ENABLE_PROTECTION web-1 at step initial-replication after 1m59s: "
                + "agent kvm-a: capturing web-1: disk vda: no space left on the recovery host\n"
                + "hint: free space in repository paris-lyon on kvm-dr, then protect web-1 again\n");
    }

    @Test
    void aCancelledJobExits1() {
        vault.on("GET", "/jobs/j-3", 200, Canned.job("j-3", "CANCELLED", "initial-replication", null, null).toString());

        Cli.Result r = cli.run("jobs", "-w", "j-3", "--poll-interval-ms", "10");

        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).contains("job j-3 CANCELLED: ENABLE_PROTECTION web-1 at step initial-replication");
    }

    @Test
    void watchWithoutAnIdFollowsEveryActiveJob() {
        vault.onList("/jobs?state=RUNNING", Canned.job("j-4", "RUNNING", "finish", null, null).toString());
        vault.onList("/jobs?state=QUEUED", Canned.job("j-5", "QUEUED", null, null, null).toString());
        vault.onList("/jobs?state=CANCELLING");
        vault.on("GET", "/jobs/j-4", 200, Canned.job("j-4", "SUCCEEDED", "finish", null, null).toString());
        vault.on("GET", "/jobs/j-5", 200, Canned.job("j-5", "SUCCEEDED", "finish", null, null).toString());

        Cli.Result r = cli.run("jobs", "--watch", "--poll-interval-ms", "10", "-o", "json");

        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode jobs = Json.MAPPER.readTree(r.out());
        assertThat(jobs.size()).isEqualTo(2);
        assertThat(jobs.get(0).get("id").asString()).isEqualTo("j-5");
        assertThat(jobs.get(1).get("state").asString()).isEqualTo("SUCCEEDED");
    }

    @Test
    void watchWithoutActiveJobsSaysSo() {
        vault.onList("/jobs");

        Cli.Result r = cli.run("jobs", "--watch");

        assertThat(r.exit()).isZero();
        assertThat(r.out()).isEqualTo("no active jobs\n");
    }

    @Test
    void watchRidesOutAVaultThatFailsForAWhile() {
        vault.on("GET", "/jobs/j-6", 503, Canned.error("UNAVAILABLE", "database unreachable", null));
        vault.on("GET", "/jobs/j-6", 200, Canned.job("j-6", "SUCCEEDED", "finish", null, null).toString());

        Cli.Result r = cli.run("jobs", "--watch", "j-6", "--poll-interval-ms", "10");

        assertThat(r.exit()).isZero();
        assertThat(r.err()).contains("ferry: lost the vault (database unreachable); retrying").contains("ferry: the vault answers again");
    }

    @Test
    void protectWaitFollowsTheJobItStarted() {
        vault.onList("/pairings", Canned.pairing("pair-1", "paris-lyon", "s-1", "s-2", "pol-1", "h-3"));
        vault.onList("/machines?name=web-1&siteId=s-1", Canned.machine("m-1", "h-1", "s-1", "web-1", null));
        vault.on("POST", "/protected-machines", 202, Canned.job("j-7", "QUEUED", null, null, null).toString());
        vault.on("GET", "/jobs/j-7", 200, Canned.job("j-7", "RUNNING", "prepare-tracking", null, null).toString());
        vault.on("GET", "/jobs/j-7", 200, Canned.job("j-7", "SUCCEEDED", "finish", null, null).toString());

        Cli.Result r = cli.run("protect", "web-1", "--pairing", "paris-lyon", "--wait", "--poll-interval-ms", "10");

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(lines(r.out())).containsExactly(
                "protecting web-1 with pairing paris-lyon: job j-7",
                "job j-7 ENABLE_PROTECTION web-1: RUNNING prepare-tracking",
                "job j-7 ENABLE_PROTECTION web-1: SUCCEEDED",
                "job j-7 SUCCEEDED: ENABLE_PROTECTION web-1 after 1m59s");
        FakeVault.Request post = vault.requests("POST", "/protected-machines").get(0);
        assertThat(post.header("Idempotency-Key")).isNotBlank();
    }

    @Test
    void unprotectSendsDeletePointsAndPrintsTheJob() {
        vault.onList("/protected-machines", Canned.protectedMachine("pm-1", "m-1", "web-1", "h-1", "PROTECTED", "HEALTHY", 5.0, 5L).toString());
        ObjectNode job = Canned.job("j-8", "QUEUED", null, null, null);
        job.put("type", "DISABLE_PROTECTION");
        vault.on("POST", "/protected-machines/pm-1/unprotect", 202, job.toString());

        Cli.Result r = cli.run("unprotect", "web-1", "--delete-points");

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("unprotecting web-1 and deleting its points: job j-8 QUEUED\nfollow it with `ferry jobs --watch j-8`\n");
        assertThat(vault.requests("POST", "/protected-machines/pm-1/unprotect").get(0).json().get("deletePoints").asBoolean()).isTrue();
    }

    @Test
    void listsJobsNewestFirstWithProgress() {
        vault.onList("/jobs?state=RUNNING", Canned.job("j-1", "RUNNING", "initial-replication", 3L << 30, 4L << 30).toString());

        Cli.Result r = cli.run("jobs", "--state", "running");

        assertThat(r.out()).isEqualTo("""
                ID   TYPE               TARGET  STATE    STEP                 PROGRESS                 CREATED  REQUESTED-BY
                j-1  ENABLE_PROTECTION  web-1   RUNNING  initial-replication  75% of 4.0 GiB, eta 30s  2m ago   admin
                """);
        assertThat(vault.requests("GET", "/jobs").get(0).query()).containsEntry("state", "RUNNING").containsEntry("limit", "50");
    }

    @Test
    void showsOneJobWithItsSteps() {
        ObjectNode job = Canned.job("j-1", "RUNNING", "initial-replication", 1L << 30, 4L << 30);
        ObjectNode first = (ObjectNode) job.get("steps").get(0);
        first.put("state", "DONE");
        first.put("startedAt", Canned.ago(119));
        first.put("endedAt", Canned.ago(100));
        first.put("message", "checkpoint ferry-1 created");
        ((ObjectNode) job.get("steps").get(1)).put("state", "RUNNING");
        ((ObjectNode) job.get("steps").get(1)).put("startedAt", Canned.ago(100));
        vault.on("GET", "/jobs/j-1", 200, job.toString());

        Cli.Result r = cli.run("jobs", "j-1");

        assertThat(r.out()).isEqualTo("""
                job j-1: ENABLE_PROTECTION web-1 (pm-1)
                state:        RUNNING, step initial-replication, 25% of 4.0 GiB, eta 30s
                requested:    2m ago by admin
                started:      1m ago
                cancellable:  yes

                STEP                 STATE    STARTED  ENDED   MESSAGE
                prepare-tracking     DONE     1m ago   1m ago  checkpoint ferry-1 created
                initial-replication  RUNNING  1m ago   -       -
                finish               PENDING  -        -       -
                """);
    }

    @Test
    void cancelPostsAndReportsTheNewState() {
        vault.on("POST", "/jobs/j-1/cancel", 202, Canned.job("j-1", "CANCELLING", "initial-replication", null, null).toString());

        Cli.Result r = cli.run("jobs", "cancel", "j-1");

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("job j-1: CANCELLING\nfollow it with `ferry jobs --watch j-1`\n");
        assertThat(vault.requests("POST", "/jobs/j-1/cancel").get(0).header("Idempotency-Key")).isNotBlank();
    }

    @Test
    void cancellingAFinishedJobIsRefused() {
        vault.on("POST", "/jobs/j-1/cancel", 409, Canned.error("WRONG_STATE", "job j-1 has already SUCCEEDED", null));

        Cli.Result r = cli.run("jobs", "cancel", "j-1");

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("error: job j-1 has already SUCCEEDED\n");
        assertThat(List.of(r.out())).containsExactly("");
    }
}
