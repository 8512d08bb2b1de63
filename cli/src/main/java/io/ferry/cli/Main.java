package io.ferry.cli;

import picocli.CommandLine;

/** Entry point of the {@code ferry} command. */
public final class Main {
    private Main() { }

    /**
     * One line per log record on stderr, warnings and errors only unless {@code FERRY_LOG}
     * names a level ({@code info}, {@code debug}…): a command's output is its result.
     */
    static void configureLogging() {
        configureLogging(false);
    }

    /** {@code service}: INFO by default and JSON lines (for {@code ferry vault} and {@code ferry agent}). */
    static void configureLogging(boolean service) {
        System.setProperty("java.util.logging.SimpleFormatter.format", "ferry %4$s: %5$s%6$s%n");
        String wanted = System.getenv().getOrDefault("FERRY_LOG", service ? "info" : "warning").trim().toUpperCase(java.util.Locale.ROOT);
        java.util.logging.Level level = switch (wanted) {
            case "DEBUG" -> java.util.logging.Level.FINE;
            case "TRACE" -> java.util.logging.Level.FINEST;
            case "WARN" -> java.util.logging.Level.WARNING;
            default -> {
                try {
                    yield java.util.logging.Level.parse(wanted);
                } catch (IllegalArgumentException e) {
                    yield java.util.logging.Level.WARNING;
                }
            }
        };
        java.util.logging.Logger root = java.util.logging.Logger.getLogger("");
        root.setLevel(level);
        for (var h : root.getHandlers()) {
            h.setLevel(level);
            h.setFormatter(service ? new JsonLogFormatter() : new java.util.logging.SimpleFormatter());
        }
    }

    /** Switches to the services' logging: INFO and JSON lines. */
    public static void serviceLogging() {
        configureLogging(true);
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    public static int run(String... args) {
        configureLogging();
        CommandLine cl = new CommandLine(new FerryCommand()).setCaseInsensitiveEnumValuesAllowed(true);
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            cmd.getErr().println("ferry: " + ex.getMessage());
            if (System.getenv("FERRY_DEBUG") != null) {
                ex.printStackTrace(cmd.getErr());
            }
            return ex instanceof IllegalArgumentException ? 2 : 1;
        });
        return cl.execute(args);
    }
}
