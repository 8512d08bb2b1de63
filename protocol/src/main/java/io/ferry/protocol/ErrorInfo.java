package io.ferry.protocol;

/** An error as reported across the wire: a stable code, a message naming the object and operation, a hint for the operator. */
public record ErrorInfo(String code, String message, String hint) {
    public static ErrorInfo of(String code, String message, String hint) {
        return new ErrorInfo(code, message, hint);
    }
}
