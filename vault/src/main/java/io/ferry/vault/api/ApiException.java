package io.ferry.vault.api;

/**
 * An API error: HTTP status, a stable code, a message naming the object and the operation, and a
 * hint. Rendered as {@code {code, message, hint}}.
 */
public class ApiException extends RuntimeException {
    private final int status;
    private final String code;
    private final String hint;

    public ApiException(int status, String code, String message, String hint) {
        super(message);
        this.status = status;
        this.code = code;
        this.hint = hint;
    }

    public static ApiException notFound(String kind, String id) {
        return new ApiException(404, "NOT_FOUND", kind + " '" + id + "' does not exist",
                "list them with GET /api/v1/" + plural(kind) + " (or `ferry " + plural(kind) + "`)");
    }

    public static ApiException invalid(String message, String hint) {
        return new ApiException(400, "INVALID_ARGUMENT", message, hint);
    }

    public static ApiException conflict(String message, String hint) {
        return new ApiException(409, "CONFLICT", message, hint);
    }

    public static ApiException wrongState(String message, String hint) {
        return new ApiException(409, "WRONG_STATE", message, hint);
    }

    private static String plural(String kind) {
        return switch (kind) {
            case "protected machine" -> "protected-machines";
            case "policy" -> "policies";
            default -> kind.replace(' ', '-') + "s";
        };
    }

    public int status() { return status; }

    public String code() { return code; }

    public String hint() { return hint; }

    /** The JSON body. */
    public record Body(String code, String message, String hint) {}

    public Body body() {
        return new Body(code, getMessage(), hint);
    }
}
