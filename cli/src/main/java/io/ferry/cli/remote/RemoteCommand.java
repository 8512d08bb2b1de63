package io.ferry.cli.remote;

import io.ferry.cli.OutputFormat;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * What every command that talks to the vault shares: {@code -o table|json}, the client built from
 * the saved login, and errors printed as {@code error: …} / {@code hint: …} with exit code 2 (the
 * request was refused) or 3 (the vault failed or could not be reached).
 */
abstract class RemoteCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-o", "--output"}, defaultValue = "TABLE", paramLabel = "table|json",
            description = "Print a table (default) or JSON.")
    OutputFormat output;

    private VaultClient client;
    private Resolver resolver;

    @Override
    public final Integer call() throws Exception {
        try {
            return execute();
        } catch (VaultException e) {
            printError(err(), e);
            return e.exitCode();
        }
    }

    /** Runs the command; returns its exit code. */
    abstract int execute() throws Exception;

    static void printError(PrintWriter err, VaultException e) {
        err.println("error: " + e.getMessage());
        if (e.hint() != null && !e.hint().isBlank()) {
            err.println("hint: " + e.hint());
        }
        err.flush();
    }

    CliConfig config() {
        return CliConfig.load(RemoteEnv.env());
    }

    VaultClient client() {
        if (client == null) {
            client = VaultClient.fromConfig(config());
        }
        return client;
    }

    Resolver resolver() {
        if (resolver == null) {
            resolver = new Resolver(client());
        }
        return resolver;
    }

    boolean json() {
        return output == OutputFormat.JSON;
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }

    Instant now() {
        return RemoteEnv.clock().instant();
    }

    /** An RFC 3339 time as an age ("12s ago"); null if absent or unreadable. */
    String age(String rfc3339) {
        return Units.age(Json.parseTime(rfc3339), now());
    }

    /** A query from key, value pairs; null values are left out of the request. */
    static Map<String, String> query(String... keyValues) {
        Map<String, String> q = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            q.put(keyValues[i], keyValues[i + 1]);
        }
        return q;
    }

    /** An error in the command's own arguments (exit code 2, with the usage hint). */
    CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }

    /** Durations typed as 15s, 5m, 24h, 7d: to seconds. */
    static final class DurationConverter implements CommandLine.ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            try {
                return Units.parseDuration(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    /** Sizes typed as 100M, 1G: to bytes. */
    static final class SizeConverter implements CommandLine.ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            try {
                return Units.parseSize(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }
}
