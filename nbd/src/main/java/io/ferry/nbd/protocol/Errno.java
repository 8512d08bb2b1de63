package io.ferry.nbd.protocol;

/**
 * The error values the NBD protocol carries in replies (proto.md, "Error values").
 * They are Linux errno numbers regardless of the peer's platform.
 */
public final class Errno {
    private Errno() {}

    public static final int EPERM = 1;
    public static final int EIO = 5;
    public static final int ENOMEM = 12;
    public static final int EINVAL = 22;
    public static final int ENOSPC = 28;
    public static final int EOVERFLOW = 75;
    public static final int ENOTSUP = 95;
    public static final int ESHUTDOWN = 108;

    /** Symbolic name, e.g. {@code EIO}; unknown values become {@code errno 42}. */
    public static String name(int errno) {
        return switch (errno) {
            case EPERM -> "EPERM";
            case EIO -> "EIO";
            case ENOMEM -> "ENOMEM";
            case EINVAL -> "EINVAL";
            case ENOSPC -> "ENOSPC";
            case EOVERFLOW -> "EOVERFLOW";
            case ENOTSUP -> "ENOTSUP";
            case ESHUTDOWN -> "ESHUTDOWN";
            default -> "errno " + errno;
        };
    }

    /** Short English description of an errno value. */
    public static String describe(int errno) {
        return switch (errno) {
            case EPERM -> "operation not permitted (read-only export?)";
            case EIO -> "input/output error";
            case ENOMEM -> "out of memory";
            case EINVAL -> "invalid argument";
            case ENOSPC -> "no space left on device";
            case EOVERFLOW -> "value too large (request above the server's maximum block size?)";
            case ENOTSUP -> "operation not supported";
            case ESHUTDOWN -> "server is shutting down";
            default -> "unknown error";
        };
    }
}
