package io.ferry.lab.net;

import java.util.List;

/**
 * A lab network operation failed. The message names the object (a namespace, an interface or
 * the whole network), the operation, the command line with its exit code and stderr when a
 * command failed, and a hint for the operator.
 */
public final class NetLabException extends RuntimeException {
    /** The hint for failures of {@code ip}/{@code tc} themselves. */
    static final String ROOT_HINT = "are you root? is iproute2 installed (scripts/install-deps.sh)?";

    private final String object;
    private final String operation;
    private final List<String> command;
    private final int exitCode;
    private final String stderr;
    private final String hint;

    /** A command ran and failed (exit code {@code exitCode}, or -1 if it could not run at all). */
    NetLabException(String object, String operation, List<String> command, int exitCode, String stderr,
                    String hint, Throwable cause) {
        super(format(object, operation, command, exitCode, stderr, hint), cause);
        this.object = object;
        this.operation = operation;
        this.command = command == null ? List.of() : List.copyOf(command);
        this.exitCode = exitCode;
        this.stderr = stderr == null ? "" : stderr.strip();
        this.hint = hint == null ? "" : hint;
    }

    /** An operation failed without a specific command (e.g. a wait timed out). */
    NetLabException(String object, String operation, String problem, String hint) {
        this(object, operation, null, -1, problem, hint, null);
    }

    private static String format(String object, String operation, List<String> command, int exitCode,
                                 String stderr, String hint) {
        StringBuilder sb = new StringBuilder();
        sb.append(operation).append(" failed for ").append(object);
        if (command != null && !command.isEmpty()) {
            sb.append(": `").append(String.join(" ", command)).append('`');
            sb.append(exitCode >= 0 ? " exited with " + exitCode : " could not run");
        }
        if (stderr != null && !stderr.isBlank()) sb.append(": ").append(stderr.strip());
        if (hint != null && !hint.isBlank()) sb.append(" (hint: ").append(hint).append(')');
        return sb.toString();
    }

    /** The namespace, interface or network the operation was about. */
    public String object() { return object; }

    /** The operation, e.g. {@code cut site link}. */
    public String operation() { return operation; }

    /** The failed command line; empty if the failure was not a command. */
    public List<String> command() { return command; }

    /** The command's exit code; -1 if it could not run, timed out, or there was no command. */
    public int exitCode() { return exitCode; }

    /** What the command printed on stderr (stripped), or the problem. */
    public String stderr() { return stderr; }

    /** What the operator could do about it; may be empty. */
    public String hint() { return hint; }
}
