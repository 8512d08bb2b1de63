package io.ferry.cli.remote;

import io.ferry.cli.FerryCommand;
import picocli.CommandLine;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;

/** Runs {@code ferry …} in this JVM against a fake vault, with a configuration file of the test's own and a fixed clock. */
final class Cli {
    record Result(int exit, String out, String err) { }

    private final Map<String, String> env = new HashMap<>();

    Cli(Path configFile) {
        env.put("FERRY_CONFIG", configFile.toString());
        env.put("HOME", configFile.getParent().toString());
    }

    /** Logged in to this vault with a token, through the environment. */
    static Cli against(FakeVault vault, Path dir) {
        return new Cli(dir.resolve("cli.json")).env("FERRY_VAULT", vault.url()).env("FERRY_TOKEN", "t0ken");
    }

    Cli env(String name, String value) {
        env.put(name, value);
        return this;
    }

    Result run(String... args) {
        return runWithStdin(null, args);
    }

    Result runWithStdin(String stdin, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        InputStream savedIn = System.in;
        RemoteEnv.overrideEnv(Map.copyOf(env));
        RemoteEnv.overrideClock(Clock.fixed(Canned.NOW, ZoneOffset.UTC));
        try {
            if (stdin != null) {
                System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
            }
            CommandLine cl = new CommandLine(new FerryCommand()).setCaseInsensitiveEnumValuesAllowed(true)
                    .setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true));
            int exit = cl.execute(args);
            return new Result(exit, out.toString(), err.toString());
        } finally {
            System.setIn(savedIn);
            RemoteEnv.overrideEnv(null);
            RemoteEnv.overrideClock(null);
        }
    }
}
