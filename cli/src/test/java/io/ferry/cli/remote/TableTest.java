package io.ferry.cli.remote;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Tables: aligned, uppercase headers, ages, RPOs and sizes for people; JSON with -o json. */
class TableTest {
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

    @Test
    void alignsColumnsUnderUppercaseHeaders() {
        Table t = new Table("name", "state", "rpo");
        t.row("web-1", "PROTECTED", "14s");
        t.row("database-primary", null, "");
        assertThat(t.render()).isEqualTo("""
                NAME              STATE      RPO
                web-1             PROTECTED  14s
                database-primary  -          -
                """);
    }

    @Test
    void aTableWithoutRowsIsItsHeader() {
        assertThat(new Table("id", "created").render()).isEqualTo("ID  CREATED\n");
    }

    @Test
    void protectedMachinesShowStateHealthRpoLatestPointAndProgress() {
        ObjectNode web = Canned.protectedMachine("pm-1", "m-1", "web-1", "h-1", "PROTECTED", "HEALTHY", 14.4, 14L);
        ObjectNode db = Canned.protectedMachine("pm-2", "m-2", "db-1", "h-1", "INITIAL_REPLICATION", "WARNING", null, null);
        ObjectNode r = (ObjectNode) db.get("replication");
        r.put("phase", "CAPTURING");
        r.put("mode", "FULL");
        r.put("bytesDone", 1L << 30);
        r.put("bytesTotal", 4L << 30);
        r.put("percent", 25.0);
        r.put("etaSeconds", 95);
        ObjectNode old = Canned.protectedMachine("pm-3", "m-3", "app-1", "h-2", "RESYNC_REQUIRED", "CRITICAL", 7300.0, 7300L);
        old.put("testFailover", "RUNNING");
        old.putNull("replication");
        vault.onList("/protected-machines", web.toString(), db.toString(), old.toString());

        Cli.Result r1 = cli.run("protected");

        assertThat(r1.exit()).as(r1.err()).isZero();
        assertThat(r1.out()).isEqualTo("""
                NAME   STATE                           HEALTH    RPO   LATEST-POINT  PROGRESS
                web-1  PROTECTED                       HEALTHY   14s   14s ago       idle
                db-1   INITIAL_REPLICATION             WARNING   -     -             25% of 4.0 GiB, full, eta 1m35s
                app-1  RESYNC_REQUIRED (test RUNNING)  CRITICAL  2h1m  2h ago        -
                """);
    }

    @Test
    void hostsShowSiteNamesAndHeartbeatAges() {
        vault.onList("/sites", Canned.site("s-1", "paris"));
        vault.onList("/hosts", Canned.host("h-1", "s-1", "kvm-a", "ONLINE", 3L), Canned.host("h-2", "s-1", "kvm-b", "NEVER_SEEN", null));

        Cli.Result r = cli.run("hosts");

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("""
                NAME   SITE   STATUS      LAST-HEARTBEAT  AGENT  DATA-ADDRESS  ID
                kvm-a  paris  ONLINE      3s ago          0.1.0  kvm-a:9443    h-1
                kvm-b  paris  NEVER_SEEN  -               0.1.0  kvm-b:9443    h-2
                """);
    }

    @Test
    void policiesShowDurationsAndBandwidth() {
        ObjectNode p = (ObjectNode) Json.MAPPER.readTree(Canned.policy("pol-1", "gold"));
        p.put("bandwidthLimitBytesPerSecond", 100L << 20);
        p.put("appConsistentFrequencySeconds", 3600);
        vault.onList("/policies", p.toString(), Canned.policy("pol-2", "bronze"));

        Cli.Result r = cli.run("policies");

        assertThat(r.out()).isEqualTo("""
                NAME    COPY-FREQUENCY  RETENTION  APP-CONSISTENT  COMPRESSION  ENCRYPTION  BANDWIDTH    RPO-THRESHOLD  ID
                gold    5m              1d         1h              zstd-1       no          100.0 MiB/s  10m            pol-1
                bronze  5m              1d         off             zstd-1       no          unlimited    10m            pol-2
                """);
    }

    @Test
    void machinesShowHostNamesDisksAndProtection() {
        vault.onList("/hosts", Canned.host("h-1", "s-1", "kvm-a", "ONLINE", 3L));
        vault.onList("/machines", Canned.machine("m-1", "h-1", "s-1", "web-1", "pm-1"), Canned.machine("m-2", "h-1", "s-1", "db-1", null));

        Cli.Result r = cli.run("machines");

        assertThat(r.out()).isEqualTo("""
                NAME   HOST   POWER    DISKS         PROTECTION   HEALTH   RPO  ID
                web-1  kvm-a  RUNNING  1 (10.0 GiB)  PROTECTED    HEALTHY  14s  m-1
                db-1   kvm-a  RUNNING  1 (10.0 GiB)  unprotected  -        -    m-2
                """);
    }

    @Test
    void jsonOutputIsTheVaultsItemsFromEveryPage() {
        vault.on("GET", "/sites", 200, Canned.page("s-2", Canned.site("s-1", "paris"), Canned.site("s-2", "lyon")));
        vault.on("GET", "/sites?after=s-2", 200, Canned.page(null, Canned.site("s-3", "nice")));

        Cli.Result r = cli.run("sites", "-o", "json");

        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode n = Json.MAPPER.readTree(r.out());
        assertThat(n.isArray()).isTrue();
        assertThat(n.size()).isEqualTo(3);
        assertThat(n.get(2).get("name").asString()).isEqualTo("nice");
        assertThat(vault.requests("GET", "/sites").get(0).query()).containsEntry("limit", "500");
    }
}
