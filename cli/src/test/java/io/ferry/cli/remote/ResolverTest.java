package io.ferry.cli.remote;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Objects are named by id or by name; unknown and ambiguous names are refused clearly. */
class ResolverTest {
    @TempDir
    Path dir;
    FakeVault vault;
    Cli cli;

    @BeforeEach
    void start() throws Exception {
        vault = FakeVault.start();
        cli = Cli.against(vault, dir);
        vault.onList("/sites", Canned.site("s-1", "paris"), Canned.site("s-2", "lyon"));
        vault.onList("/hosts", Canned.host("h-1", "s-1", "kvm-a", "ONLINE", 2L), Canned.host("h-2", "s-1", "kvm-b", "ONLINE", 2L),
                Canned.host("h-3", "s-2", "kvm-dr", "ONLINE", 2L));
        vault.onList("/hosts?siteId=s-2", Canned.host("h-3", "s-2", "kvm-dr", "ONLINE", 2L));
        vault.onList("/policies", Canned.policy("pol-1", "gold"));
        vault.onList("/pairings", Canned.pairing("pair-1", "paris-lyon", "s-1", "s-2", "pol-1", "h-3"));
    }

    @AfterEach
    void stop() {
        vault.close();
    }

    @Test
    void anUnknownNameIsRefusedWithTheListCommandAsHint() {
        Cli.Result r = cli.run("registration-key", "berlin");

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("error: no site is named 'berlin' or has that id\nhint: list them with `ferry sites`\n");
        assertThat(vault.requests("POST", "/sites/s-1/registration-keys")).isEmpty();
    }

    @Test
    void anAmbiguousMachineNameListsTheCandidatesWithIdsAndHosts() {
        vault.onList("/machines?name=web-1&siteId=s-1", Canned.machine("m-1", "h-1", "s-1", "web-1", null),
                Canned.machine("m-7", "h-2", "s-1", "web-1", null));

        Cli.Result r = cli.run("protect", "web-1", "--pairing", "paris-lyon");

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("""
                error: machine name 'web-1' is ambiguous, 2 match:
                  m-1  on host kvm-a
                  m-7  on host kvm-b
                hint: name it by id, e.g. m-1
                """);
        assertThat(vault.requests("POST", "/protected-machines")).isEmpty();
    }

    @Test
    void anIdResolvesWhereANameWouldBeAmbiguous() {
        vault.onList("/machines?name=m-7&siteId=s-1");
        vault.on("GET", "/machines/m-7", 200, Canned.machine("m-7", "h-2", "s-1", "web-1", null));
        vault.on("POST", "/protected-machines", 202, Canned.job("j-1", "QUEUED", null, null, null).toString());

        Cli.Result r = cli.run("protect", "m-7", "--pairing", "pair-1");

        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode body = vault.requests("POST", "/protected-machines").get(0).json();
        assertThat(body.get("machineId").asString()).isEqualTo("m-7");
        assertThat(body.get("pairingId").asString()).isEqualTo("pair-1");
        assertThat(r.out()).contains("protecting web-1 with pairing paris-lyon: job j-1 QUEUED").contains("ferry jobs --watch j-1");
    }

    @Test
    void aMachineOutsideThePairingsPrimarySiteIsNotFound() {
        vault.onList("/machines?name=dr-only&siteId=s-1");
        vault.on("GET", "/machines/dr-only", 404, Canned.error("NOT_FOUND", "no machine dr-only", null));

        Cli.Result r = cli.run("protect", "dr-only", "--pairing", "paris-lyon");

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("error: no machine is named 'dr-only' or has that id\nhint: list them with `ferry machines`\n");
    }

    @Test
    void hostsResolveWithinTheirSite() {
        vault.on("POST", "/pairings", 201, Canned.pairing("pair-2", "paris-lyon-2", "s-1", "s-2", "pol-1", "h-3"));

        Cli.Result bad = cli.run("pairings", "create", "x", "--primary", "paris", "--recovery", "lyon", "--policy", "gold",
                "--recovery-host", "kvm-a");
        Cli.Result good = cli.run("pairings", "create", "paris-lyon-2", "--primary", "paris", "--recovery", "s-2", "--policy", "gold",
                "--recovery-host", "kvm-dr", "--map", "default=dr-net", "--map", "prod=dr-prod", "--repository", "repo1");

        assertThat(bad.exit()).isEqualTo(2);
        assertThat(bad.err()).startsWith("error: no host is named 'kvm-a' or has that id\n");
        assertThat(good.exit()).as(good.err()).isZero();
        JsonNode body = vault.requests("POST", "/pairings").get(0).json();
        assertThat(body.get("primarySiteId").asString()).isEqualTo("s-1");
        assertThat(body.get("recoverySiteId").asString()).isEqualTo("s-2");
        assertThat(body.get("policyId").asString()).isEqualTo("pol-1");
        assertThat(body.get("recoveryHostId").asString()).isEqualTo("h-3");
        assertThat(body.get("repositoryName").asString()).isEqualTo("repo1");
        assertThat(body.get("networkMapping").toString()).isEqualTo("{\"default\":\"dr-net\",\"prod\":\"dr-prod\"}");
    }

    @Test
    void aProtectedMachineIsFoundByMachineNameMachineIdOrItsOwnId() {
        String web = Canned.protectedMachine("pm-1", "m-1", "web-1", "h-1", "PROTECTED", "HEALTHY", 5.0, 5L).toString();
        vault.onList("/protected-machines", web);
        vault.onList("/protected-machines/pm-1/points");

        assertThat(cli.run("points", "web-1").exit()).isZero();
        assertThat(cli.run("points", "m-1").exit()).isZero();
        assertThat(cli.run("points", "pm-1").exit()).isZero();
        assertThat(vault.requests("GET", "/protected-machines/pm-1/points")).hasSize(3);
    }

    @Test
    void anAmbiguousProtectedMachineNameListsItsHosts() {
        vault.onList("/protected-machines", Canned.protectedMachine("pm-1", "m-1", "web-1", "h-1", "PROTECTED", "HEALTHY", 5.0, 5L).toString(),
                Canned.protectedMachine("pm-2", "m-7", "web-1", "h-2", "PROTECTED", "HEALTHY", 5.0, 5L).toString());

        Cli.Result r = cli.run("unprotect", "web-1");

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("protected machine name 'web-1' is ambiguous, 2 match:\n  pm-1  on host kvm-a\n  pm-2  on host kvm-b\n");
        assertThat(vault.requests("POST", "/protected-machines/pm-1/unprotect")).isEmpty();
    }
}
