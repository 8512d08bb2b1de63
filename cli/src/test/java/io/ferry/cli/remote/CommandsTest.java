package io.ferry.cli.remote;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** What each command sends and prints. */
class CommandsTest {
    @TempDir
    Path dir;
    FakeVault vault;
    Cli cli;

    @BeforeEach
    void start() throws Exception {
        vault = FakeVault.start();
        cli = Cli.against(vault, dir);
        vault.onList("/sites", Canned.site("s-1", "paris"), Canned.site("s-2", "lyon"));
    }

    @AfterEach
    void stop() {
        vault.close();
    }

    @Test
    void registrationKeyPrintsTheAgentCommandToRun() {
        vault.on("POST", "/sites/s-2/registration-keys", 201, "{'key':'rk_7GQ2xN9d','siteId':'s-2','expiresAt':'2025-06-01T13:00:00Z',"
                + "'caFingerprint':'3F:A1:09:9C','vaultUrl':'https://vault.example:8443'}");

        Cli.Result r = cli.run("registration-key", "lyon", "--ttl", "1h");

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("""
                registration key for site lyon (one use, expires in 1h, at 2025-06-01T13:00:00Z):
                  rk_7GQ2xN9d
                vault CA fingerprint (SHA-256): 3F:A1:09:9C

                On the KVM host to add, run:
                  ferry agent --vault https://vault.example:8443 --key rk_7GQ2xN9d --ca-fingerprint 3F:A1:09:9C
                """);
        assertThat(vault.requests("POST", "/sites/s-2/registration-keys").get(0).json().get("ttlSeconds").asLong()).isEqualTo(3600);
    }

    @Test
    void registrationKeyRefusesATtlOutsideTheApisRange() {
        Cli.Result r = cli.run("registration-key", "lyon", "--ttl", "8d");

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).startsWith("--ttl must be from 1m to 7d, not 8d");
        assertThat(vault.requests()).isEmpty();
    }

    @Test
    void policiesCreateSendsOnlyTheGivenSettingsInSecondsAndBytes() {
        vault.on("POST", "/policies", 201, Canned.policy("pol-9", "gold"));

        Cli.Result r = cli.run("policies", "create", "gold", "--copy-frequency", "30s", "--retention", "7d", "--bandwidth-limit", "100M",
                "--rpo-threshold", "2m", "--encryption", "--compression-level", "3");

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("created policy gold (id pol-9): a copy every 5m, kept 1d\n");
        JsonNode body = vault.requests("POST", "/policies").get(0).json();
        assertThat(body.toString()).isEqualTo("{\"name\":\"gold\",\"copyFrequencySeconds\":30,\"retentionSeconds\":604800,"
                + "\"compressionLevel\":3,\"encryption\":true,\"bandwidthLimitBytesPerSecond\":104857600,\"rpoThresholdSeconds\":120}");
    }

    @Test
    void policiesCreateRefusesAnUnknownCompression() {
        Cli.Result r = cli.run("policies", "create", "gold", "--compression", "lz4");

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).startsWith("--compression must be zstd or none, not 'lz4'");
        assertThat(vault.requests("POST", "/policies")).isEmpty();
    }

    @Test
    void policiesUpdateKeepsWhatIsNotGivenAndLetsTheDefaultRpoThresholdFollow() {
        vault.onList("/policies", Canned.policy("pol-1", "gold"));
        vault.on("PUT", "/policies/pol-1", 200, Canned.policy("pol-1", "gold"));

        Cli.Result r = cli.run("policies", "update", "gold", "--copy-frequency", "1m");

        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode body = vault.requests("PUT", "/policies/pol-1").get(0).json();
        assertThat(body.get("copyFrequencySeconds").asInt()).isEqualTo(60);
        assertThat(body.get("retentionSeconds").asInt()).isEqualTo(86_400);
        assertThat(body.has("rpoThresholdSeconds")).isFalse();
        assertThat(body.has("id")).isFalse();
    }

    @Test
    void sitesCreateSendsNameAndDescription() {
        vault.on("POST", "/sites", 201, Canned.site("s-3", "nice"));

        Cli.Result r = cli.run("sites", "create", "nice", "--description", "the sunny one");

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(vault.requests("POST", "/sites").get(0).json().toString()).isEqualTo("{\"name\":\"nice\",\"description\":\"the sunny one\"}");
        assertThat(r.out()).startsWith("created site nice (id s-3)\n");
    }

    @Test
    void usersCreateReadsThePasswordFromStdin() {
        vault.on("POST", "/users", 201, "{'id':'u-2','name':'ops','role':'OPERATOR','createdAt':'2025-06-01T12:00:00Z','disabled':false}");

        Cli.Result r = cli.runWithStdin("a long enough password\n", "users", "create", "ops", "--role", "operator", "--password-stdin");

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("created user ops (OPERATOR, id u-2)\n");
        assertThat(vault.requests("POST", "/users").get(0).json().toString())
                .isEqualTo("{\"name\":\"ops\",\"password\":\"a long enough password\",\"role\":\"OPERATOR\"}");
    }

    @Test
    void usersListShowsRoles() {
        vault.onList("/users", "{'id':'u-1','name':'admin','role':'ADMIN','createdAt':'2025-05-01T12:00:00Z','disabled':false}",
                "{'id':'u-2','name':'old','role':'VIEWER','createdAt':'2025-05-31T12:00:00Z','disabled':true}");

        assertThat(cli.run("users").out()).isEqualTo("""
                NAME   ROLE    CREATED  DISABLED  ID
                admin  ADMIN   31d ago  no        u-1
                old    VIEWER  1d ago   yes       u-2
                """);
    }

    @Test
    void alertsShowActiveOnesUnlessAll() {
        String alert = "{'id':'a-1','kind':'RPO_BREACHED','severity':'WARNING','objectKind':'PROTECTED_MACHINE','objectId':'pm-1',"
                + "'message':'web-1: RPO 12m is above the threshold 10m','hint':null,'raisedAt':'2025-06-01T11:58:00Z','clearedAt':null}";
        vault.onList("/alerts?active=true", alert);
        vault.onList("/alerts");

        Cli.Result active = cli.run("alerts");
        Cli.Result all = cli.run("alerts", "--all");

        assertThat(active.out()).isEqualTo("""
                SEVERITY  KIND          OBJECT                  MESSAGE                                    RAISED
                WARNING   RPO_BREACHED  protected-machine pm-1  web-1: RPO 12m is above the threshold 10m  2m ago
                """);
        assertThat(all.out()).isEqualTo("SEVERITY  KIND  OBJECT  MESSAGE  RAISED  CLEARED\n");
        assertThat(vault.requests("GET", "/alerts").get(1).query()).doesNotContainKey("active");
    }

    @Test
    void noActiveAlertsSaysSo() {
        vault.onList("/alerts");

        assertThat(cli.run("alerts").out()).isEqualTo("no active alerts\n");
    }

    @Test
    void auditShowsTheNewestEntriesAndHowToPageBack() {
        vault.on("GET", "/audit?actor=admin", 200, Canned.page("41",
                "{'seq':42,'at':'2025-06-01T11:59:00Z','actor':'admin','role':'ADMIN','action':'createPolicy','target':'policies/pol-1',"
                        + "'outcome':'OK','status':201,'detail':null}",
                "{'seq':41,'at':'2025-06-01T11:00:00Z','actor':'admin','role':'ADMIN','action':'login','target':null,"
                        + "'outcome':'OK','status':200,'detail':null}"));

        Cli.Result r = cli.run("audit", "--actor", "admin", "--limit", "2");

        assertThat(r.out()).isEqualTo("""
                SEQ  AT      ACTOR  ROLE   ACTION        TARGET          OUTCOME  STATUS  DETAIL
                42   1m ago  admin  ADMIN  createPolicy  policies/pol-1  OK       201     -
                41   1h ago  admin  ADMIN  login         -               OK       200     -
                older entries: `ferry audit --before 41`
                """);
    }

    @Test
    void pointsShowConsistencyModeAndSizes() {
        vault.onList("/protected-machines", Canned.protectedMachine("pm-1", "m-1", "web-1", "h-1", "PROTECTED", "HEALTHY", 5.0, 5L).toString());
        vault.onList("/protected-machines/pm-1/points",
                "{'id':'pt-2','protectedMachineId':'pm-1','createdAt':'2025-06-01T11:59:55Z','consistency':'CRASH','mode':'INCREMENTAL',"
                        + "'parentId':'pt-1','bytesRead':4194304,'bytesStored':1048576,'state':'AVAILABLE'}",
                "{'id':'pt-1','protectedMachineId':'pm-1','createdAt':'2025-06-01T10:00:00Z','consistency':'APP','mode':'FULL',"
                        + "'parentId':null,'bytesRead':10737418240,'bytesStored':3221225472,'state':'EXPIRING'}");

        assertThat(cli.run("points", "web-1").out()).isEqualTo("""
                ID    CREATED  CONSISTENCY  MODE         READ      STORED   STATE
                pt-2  5s ago   CRASH        INCREMENTAL  4.0 MiB   1.0 MiB  AVAILABLE
                pt-1  2h ago   APP          FULL         10.0 GiB  3.0 GiB  EXPIRING
                """);
    }

    @Test
    void pairingsShowNamesInsteadOfIds() {
        vault.onList("/policies", Canned.policy("pol-1", "gold"));
        vault.onList("/hosts", Canned.host("h-3", "s-2", "kvm-dr", "ONLINE", 1L));
        ObjectNode p = (ObjectNode) Json.MAPPER.readTree(Canned.pairing("pair-1", "paris-lyon", "s-1", "s-2", "pol-1", "h-3"));
        p.putObject("networkMapping").put("default", "dr-net");
        vault.onList("/pairings", p.toString());

        assertThat(cli.run("pairings").out()).isEqualTo("""
                NAME        PRIMARY  RECOVERY  POLICY  RECOVERY-HOST  REPOSITORY  ENCRYPTED  NETWORKS        ID
                paris-lyon  paris    lyon      gold    kvm-dr         paris-lyon  no         default=dr-net  pair-1
                """);
    }

    @Test
    void tokensCreateShowsTheSecretOnce() {
        vault.on("POST", "/tokens", 201, "{'id':'tk-1','name':'ci','token':'fy_secret','expiresAt':'2025-07-01T12:00:00Z'}");

        Cli.Result r = cli.run("tokens", "create", "ci", "--expires-in", "30d");

        assertThat(r.out()).isEqualTo("token ci (id tk-1), expires in 30d:\n  fy_secret\n"
                + "It is shown only now. Revoke it with `ferry tokens delete tk-1`.\n");
        assertThat(vault.requests("POST", "/tokens").get(0).json().toString()).isEqualTo("{\"name\":\"ci\",\"expiresInSeconds\":2592000}");
    }

    @Test
    void whoamiAsJsonIsTheUser() {
        vault.on("GET", "/auth/whoami", 200, "{'id':'u-1','name':'admin','role':'ADMIN','createdAt':'2025-01-01T00:00:00Z','disabled':false}");

        JsonNode u = Json.MAPPER.readTree(cli.run("whoami", "-o", "json").out());

        assertThat(u.get("role").asString()).isEqualTo("ADMIN");
    }
}
