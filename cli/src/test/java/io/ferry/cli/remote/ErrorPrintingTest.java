package io.ferry.cli.remote;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Errors print as "error: …" and "hint: …"; exit code 2 when refused, 3 when the vault failed or is unreachable. */
class ErrorPrintingTest {
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
    void aRefusalPrintsTheVaultsMessageAndHintWithExitCode2() {
        vault.onList("/policies", Canned.policy("pol-1", "gold"));
        vault.on("DELETE", "/policies/pol-1", 409, Canned.error("CONFLICT", "policy gold is used by pairing paris-lyon",
                "delete the pairing first, or give it another policy"));

        Cli.Result r = cli.run("policies", "delete", "gold");

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("error: policy gold is used by pairing paris-lyon\n"
                + "hint: delete the pairing first, or give it another policy\n");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void anErrorWithoutHintPrintsOnlyTheError() {
        vault.on("POST", "/sites", 400, Canned.error("INVALID_ARGUMENT", "name: must match ^[A-Za-z0-9]", null));

        Cli.Result r = cli.run("sites", "create", "bad name");

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("error: name: must match ^[A-Za-z0-9]\n");
    }

    @Test
    void aServerFailureExitsWith3() {
        vault.on("GET", "/sites", 500, Canned.error("INTERNAL", "listing sites: database is locked", "retry; the vault log says more"));

        Cli.Result r = cli.run("sites");

        assertThat(r.exit()).isEqualTo(3);
        assertThat(r.err()).isEqualTo("error: listing sites: database is locked\nhint: retry; the vault log says more\n");
    }

    @Test
    void anAnswerThatIsNotAnErrorBodyStillNamesTheRequestAndStatus() {
        vault.on("GET", "/hosts", 502, "Bad Gateway");

        Cli.Result r = cli.run("hosts");

        assertThat(r.exit()).isEqualTo(3);
        assertThat(r.err()).startsWith("error: the vault answered HTTP 502 to GET /api/v1/hosts?limit=500: Bad Gateway\n")
                .contains("hint: the vault's log says more");
    }

    @Test
    void anExpiredTokenSuggestsLoggingInAgain() {
        vault.on("GET", "/auth/whoami", 401, Canned.error("UNAUTHENTICATED", "the token has expired", null));

        Cli.Result r = cli.run("whoami");

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("error: the token has expired\nhint: log in again with `ferry login --vault " + vault.url() + "`\n");
    }

    @Test
    void aForbiddenOperationSaysSo() {
        vault.on("GET", "/audit", 403, Canned.error("FORBIDDEN", "reading the audit log needs role ADMIN; viewer is VIEWER", null));

        Cli.Result r = cli.run("audit");

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).startsWith("error: reading the audit log needs role ADMIN; viewer is VIEWER\nhint: ");
    }

    @Test
    void anUnreachableVaultIsNamedWithExitCode3AndALoginHint() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String url = "http://127.0.0.1:" + port;

        Cli.Result r = cli.env("FERRY_VAULT", url).run("machines");

        assertThat(r.exit()).isEqualTo(3);
        assertThat(r.err()).startsWith("error: cannot reach the vault at " + url + ": connection refused\n")
                .contains("hint: ").contains("`ferry login --vault URL`");
    }

    @Test
    void withoutALoginEveryCommandSaysHowToLogIn() {
        Cli.Result r = new Cli(dir.resolve("none.json")).run("protected");

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("error: not logged in to a vault\n"
                + "hint: log in with `ferry login --vault https://HOST:8443 --ca-file ca.pem` (or set FERRY_VAULT and FERRY_TOKEN)\n");
    }

    @Test
    void aBadOptionValueIsAUsageErrorWithExitCode2() {
        Cli.Result r = cli.run("policies", "create", "gold", "--retention", "forever");

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("Invalid value for option '--retention': 'forever' is not a duration");
        assertThat(vault.requests()).isEmpty();
    }

    @Test
    void theVaultExceptionCarriesStatusCodeAndHint() {
        vault.on("GET", "/jobs/j-9", 404, Canned.error("NOT_FOUND", "no job j-9", "list jobs with `ferry jobs`"));
        VaultClient c = new VaultClient(VaultClient.normalize(vault.url()), "t", null);

        VaultException e = org.junit.jupiter.api.Assertions.assertThrows(VaultException.class, () -> c.get("/jobs/j-9"));

        assertThat(e.status()).isEqualTo(404);
        assertThat(e.code()).isEqualTo("NOT_FOUND");
        assertThat(e.getMessage()).isEqualTo("no job j-9");
        assertThat(e.hint()).isEqualTo("list jobs with `ferry jobs`");
        assertThat(e.exitCode()).isEqualTo(2);
    }
}
