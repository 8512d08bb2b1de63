package io.ferry.cli.remote;

import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;

/**
 * What the remote commands take from the process: environment variables, the clock (for ages
 * like "12s ago"), standard input and whether a person sits at a terminal. Tests replace the
 * environment and the clock; nothing else here changes.
 */
final class RemoteEnv {
    private static volatile Map<String, String> env;
    private static volatile Clock clock;

    private RemoteEnv() { }

    static Map<String, String> env() {
        Map<String, String> e = env;
        return e != null ? e : System.getenv();
    }

    static Clock clock() {
        Clock c = clock;
        return c != null ? c : Clock.systemUTC();
    }

    /** For tests: use these variables instead of the process's (null restores them). */
    static void overrideEnv(Map<String, String> variables) {
        env = variables;
    }

    /** For tests: use this clock (null restores the system clock). */
    static void overrideClock(Clock c) {
        clock = c;
    }

    /**
     * A console to prompt on, or null when standard input or output is not a terminal. (On JDK 22
     * to 24 {@link System#console()} is not null when redirected; {@code isTerminal()} tells.)
     */
    static Console terminal() {
        Console c = System.console();
        if (c == null) {
            return null;
        }
        try {
            Object interactive = Console.class.getMethod("isTerminal").invoke(c);
            return Boolean.TRUE.equals(interactive) ? c : null;
        } catch (ReflectiveOperationException e) {
            return c; // JDK 21: a console exists only on a terminal
        }
    }

    /** The first line of standard input, without its line end (for --password-stdin). */
    static String readStdinLine(String what) {
        try {
            BufferedReader r = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String line = r.readLine();
            if (line == null || line.isEmpty()) {
                throw VaultException.refused("INVALID_ARGUMENT", "no " + what + " on standard input",
                        "pipe it in, e.g. `cat secret | ferry … --password-stdin`");
            }
            return line;
        } catch (IOException e) {
            throw VaultException.refused("INVALID_ARGUMENT", "reading the " + what + " from standard input: " + e.getMessage(), null);
        }
    }
}
