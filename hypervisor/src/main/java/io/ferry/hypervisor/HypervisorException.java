package io.ferry.hypervisor;

/**
 * A hypervisor operation failed. The message names the object (domain, image or socket), the
 * operation, what the tool said on stderr and a hint for the operator.
 */
public class HypervisorException extends RuntimeException {
    private final String object;
    private final String operation;
    private final String toolError;
    private final String hint;

    public HypervisorException(String object, String operation, String toolError, String hint) {
        this(object, operation, toolError, hint, null);
    }

    public HypervisorException(String object, String operation, String toolError, String hint, Throwable cause) {
        super(format(object, operation, toolError, hint), cause);
        this.object = object;
        this.operation = operation;
        this.toolError = toolError == null ? "" : toolError.strip();
        this.hint = hint == null ? "" : hint;
    }

    private static String format(String object, String operation, String toolError, String hint) {
        StringBuilder sb = new StringBuilder();
        sb.append(operation).append(" failed for ").append(object);
        if (toolError != null && !toolError.isBlank()) sb.append(": ").append(toolError.strip());
        if (hint != null && !hint.isBlank()) sb.append(" (hint: ").append(hint).append(')');
        return sb.toString();
    }

    /** The domain, image or socket the operation was about. */
    public String object() { return object; }

    /** The operation, e.g. {@code virsh backup-begin}. */
    public String operation() { return operation; }

    /** What the tool printed on stderr (stripped), or the underlying error. */
    public String toolError() { return toolError; }

    /** What the operator could do about it; may be empty. */
    public String hint() { return hint; }
}
