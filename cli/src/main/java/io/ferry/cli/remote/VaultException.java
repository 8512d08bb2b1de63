package io.ferry.cli.remote;

/**
 * An error answer from the vault ({@code {code, message, hint}} and its HTTP status), a vault that
 * could not be reached, or a request the CLI refuses before sending it (an unknown or ambiguous
 * name). {@link #exitCode()} is 2 when the request was refused (4xx, or refused by the CLI) and 3
 * when the vault failed (5xx) or could not be reached.
 */
public final class VaultException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Exit code of a command whose request was refused. */
    public static final int REFUSED = 2;
    /** Exit code of a command whose vault failed or could not be reached. */
    public static final int FAILED = 3;

    private final int status;
    private final String code;
    private final String hint;
    private final int exitCode;

    private VaultException(int status, String code, String message, String hint, int exitCode, Throwable cause) {
        super(message, cause);
        this.status = status;
        this.code = code;
        this.hint = hint;
        this.exitCode = exitCode;
    }

    /** An error answer with this HTTP status. */
    public static VaultException answer(int status, String code, String message, String hint) {
        return new VaultException(status, code, message, hint, status >= 500 ? FAILED : REFUSED, null);
    }

    /** A request the CLI refuses itself (exit code 2); {@code code} is e.g. NOT_FOUND or AMBIGUOUS. */
    public static VaultException refused(String code, String message, String hint) {
        return new VaultException(0, code, message, hint, REFUSED, null);
    }

    /** The vault could not be reached or the connection failed (exit code 3). */
    public static VaultException unreachable(String message, String hint, Throwable cause) {
        return new VaultException(0, "UNREACHABLE", message, hint, FAILED, cause);
    }

    /** The HTTP status of the answer, 0 when there was none. */
    public int status() {
        return status;
    }

    /** The vault's error code (NOT_FOUND, CONFLICT…), or the CLI's own (UNREACHABLE, AMBIGUOUS…). */
    public String code() {
        return code;
    }

    /** What the operator can do about it; may be null. */
    public String hint() {
        return hint;
    }

    public int exitCode() {
        return exitCode;
    }
}
