package io.ferry.cli.remote;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The saved login: its file, its mode, and the environment's overrides. */
class CliConfigTest {
    @TempDir
    Path home;

    @Test
    void livesInTheUsersConfigDirectoryUnlessFerryConfigSaysOtherwise() {
        assertThat(CliConfig.path(Map.of("HOME", "/home/ops"))).isEqualTo(Path.of("/home/ops/.config/ferry/cli.json"));
        assertThat(CliConfig.path(Map.of("HOME", "/home/ops", "FERRY_CONFIG", "/etc/ferry/cli.json")))
                .isEqualTo(Path.of("/etc/ferry/cli.json"));
    }

    @Test
    void savesOnlyForItsOwnerAndReadsBack() throws Exception {
        Map<String, String> env = Map.of("HOME", home.toString());
        CliConfig.load(env).withSaved("https://vault.example:8443", "tok", "-----BEGIN CERTIFICATE-----\n").save();

        Path file = home.resolve(".config/ferry/cli.json");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent()))).isEqualTo("rwx------");
        CliConfig c = CliConfig.load(env);
        assertThat(c.vault()).isEqualTo("https://vault.example:8443");
        assertThat(c.token()).isEqualTo("tok");
        assertThat(c.caPem()).startsWith("-----BEGIN CERTIFICATE-----");
        assertThat(Files.list(file.getParent())).containsExactly(file);
    }

    @Test
    void aFileWithLooserModeIsTightenedOnSave() throws Exception {
        Path file = home.resolve("cli.json");
        Files.writeString(file, "{}");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        Map<String, String> env = Map.of("FERRY_CONFIG", file.toString());

        CliConfig.load(env).withSaved("https://v:8443", "t", null).save();

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    }

    @Test
    void environmentOverridesVaultAndTokenWithoutBeingSaved() throws Exception {
        Path file = home.resolve("cli.json");
        Map<String, String> plain = Map.of("FERRY_CONFIG", file.toString());
        CliConfig.load(plain).withSaved("https://saved:8443", "saved-token", null).save();
        Map<String, String> env = Map.of("FERRY_CONFIG", file.toString(), "FERRY_VAULT", "https://other:8443", "FERRY_TOKEN", "env-token");

        CliConfig c = CliConfig.load(env);
        assertThat(c.vault()).isEqualTo("https://other:8443");
        assertThat(c.token()).isEqualTo("env-token");
        assertThat(c.tokenFromEnvironment()).isTrue();
        c.withSaved(c.savedVault(), "new-token", null).save();

        assertThat(Files.readString(file)).contains("new-token").doesNotContain("env-token")
                .doesNotContain("other");
    }

    @Test
    void anUnreadableFileSaysWhichAndHowToRecover() throws Exception {
        Path file = home.resolve("cli.json");
        Files.writeString(file, "{not json");

        assertThatThrownBy(() -> CliConfig.load(Map.of("FERRY_CONFIG", file.toString()))).isInstanceOfSatisfying(VaultException.class, e -> {
            assertThat(e.getMessage()).startsWith("cannot read the CLI configuration " + file);
            assertThat(e.hint()).contains("ferry login");
        });
    }

    @Test
    void logoutForgetsTheTokenButKeepsTheVault() throws Exception {
        Path file = home.resolve("cli.json");
        CliConfig.load(Map.of("FERRY_CONFIG", file.toString())).withSaved("https://v.example:8443", "tok", "PEM").save();

        Cli.Result r = new Cli(file).run("logout");

        assertThat(r.exit()).isZero();
        assertThat(r.out()).isEqualTo("logged out of https://v.example:8443\n");
        CliConfig c = CliConfig.load(Map.of("FERRY_CONFIG", file.toString()));
        assertThat(c.token()).isNull();
        assertThat(c.vault()).isEqualTo("https://v.example:8443");
        assertThat(c.caPem()).isEqualTo("PEM");
        Cli.Result after = new Cli(file).run("sites");
        assertThat(after.exit()).isEqualTo(2);
        assertThat(after.err()).isEqualTo("error: not logged in to https://v.example:8443\n"
                + "hint: log in with `ferry login --vault https://v.example:8443` (or set FERRY_TOKEN)\n");
    }

    @Test
    void loginWithoutATerminalNeedsUserAndPasswordStdin() throws Exception {
        try (FakeVault v = FakeVault.start()) {
            Cli cli = new Cli(home.resolve("cli.json"));

            Cli.Result noUser = cli.run("login", "--vault", v.url(), "--password-stdin");
            Cli.Result noPassword = cli.run("login", "--vault", v.url(), "--user", "admin");

            assertThat(noUser.exit()).isEqualTo(2);
            assertThat(noUser.err()).startsWith("no terminal to ask for the user name: give --user NAME");
            assertThat(noPassword.exit()).isEqualTo(2);
            assertThat(noPassword.err()).startsWith("no terminal to ask for the password: pipe it in with --password-stdin");
            assertThat(v.requests()).isEmpty();
        }
    }

    @Test
    void aFailedLoginSavesNothing() throws Exception {
        try (FakeVault v = FakeVault.start()) {
            v.on("POST", "/auth/login", 401, Canned.error("UNAUTHENTICATED", "wrong user name or password", null));
            Path file = home.resolve("cli.json");

            Cli.Result r = new Cli(file).runWithStdin("nope\n", "login", "--vault", v.url(), "--user", "admin", "--password-stdin");

            assertThat(r.exit()).isEqualTo(2);
            assertThat(r.err()).startsWith("error: wrong user name or password\n");
            assertThat(file).doesNotExist();
        }
    }
}
