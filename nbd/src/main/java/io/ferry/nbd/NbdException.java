package io.ferry.nbd;

import io.ferry.nbd.protocol.Errno;

import java.io.IOException;

/**
 * An NBD failure: a protocol violation by the peer, an error the server reported for
 * a request, a refused option, a timeout or a lost connection. Messages name the peer
 * (as an NBD URI including the export), the operation, offset and length where they
 * apply, and end with a hint.
 */
public class NbdException extends IOException {
    private static final long serialVersionUID = 1L;

    private final int errno;

    public NbdException(String message) {
        this(message, 0, null);
    }

    public NbdException(String message, Throwable cause) {
        this(message, 0, cause);
    }

    /**
     * @param errno the NBD error value the server sent (see {@link Errno}), 0 if none
     */
    public NbdException(String message, int errno, Throwable cause) {
        super(message, cause);
        this.errno = errno;
    }

    /** The NBD error value the server sent for the request, or 0 if this is not a server-reported error. */
    public int errno() {
        return errno;
    }

    /** Symbolic name of {@link #errno()} such as {@code EIO}, or "" if none. */
    public String errnoName() {
        return errno == 0 ? "" : Errno.name(errno);
    }

    /** True when the server answered the request with an error (the connection is still usable). */
    public boolean isServerError() {
        return errno != 0;
    }
}
