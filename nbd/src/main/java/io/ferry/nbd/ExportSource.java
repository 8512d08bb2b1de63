package io.ferry.nbd;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * The bytes behind one {@link NbdServer} export. Implementations must be safe for
 * concurrent calls: the server serves several requests and clients at once.
 */
public interface ExportSource {

    /** Size of the export in bytes. */
    long size();

    /**
     * Reads {@code dst.remaining()} bytes starting at {@code offset} into {@code dst}
     * (which may be a direct buffer), advancing its position to its limit (relative puts
     * or channel reads). Must fill {@code dst} completely or throw; an
     * {@link IOException} becomes an {@code EIO} reply for that request only.
     */
    void read(long offset, ByteBuffer dst) throws IOException;

    /**
     * base:allocation extents for {@code [offset, offset+length)}, in order, the first
     * starting at {@code offset}, flags {@code HOLE=1|ZERO=2}. May cover less than
     * {@code length} (clients ask again for the rest). A source with no sparseness
     * information returns a single data extent {@code (offset, length, 0)}.
     */
    List<Extent> allocation(long offset, long length) throws IOException;

    /** Human-readable description sent as NBD_INFO_DESCRIPTION when a client asks. */
    default String description() {
        return "";
    }
}
