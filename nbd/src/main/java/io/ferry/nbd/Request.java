package io.ferry.nbd;

import io.ferry.nbd.protocol.NbdConstants;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One request on the wire and the state its reply chunks build up. Reply fields are
 * touched only by the reader thread; the future publishes them to waiters.
 */
final class Request {
    final int command;
    final int flags;
    final long offset;
    final long length;
    /** Destination of a read; data is written straight into it. */
    final byte[] dst;
    final int dstOffset;
    /** Meta context id a block status request wants extents for; -1 otherwise. */
    final int contextId;
    final CompletableFuture<Void> future = new CompletableFuture<>();

    long handle;
    boolean holdsPermit;
    /** Read bytes described so far by data and hole chunks. */
    long covered;
    /** Block status: extents for {@link #contextId}, clipped to the request. */
    List<Extent> extents;
    /** First error chunk the server sent; reported when DONE arrives. */
    NbdException serverError;

    private Request(int command, int flags, long offset, long length, byte[] dst, int dstOffset, int contextId) {
        this.command = command;
        this.flags = flags;
        this.offset = offset;
        this.length = length;
        this.dst = dst;
        this.dstOffset = dstOffset;
        this.contextId = contextId;
    }

    static Request read(long offset, int length, byte[] dst, int dstOffset) {
        return new Request(NbdConstants.CMD_READ, 0, offset, length, dst, dstOffset, -1);
    }

    static Request blockStatus(long offset, long length, int contextId) {
        Request r = new Request(NbdConstants.CMD_BLOCK_STATUS, 0, offset, length, null, 0, contextId);
        r.extents = new ArrayList<>();
        return r;
    }

    static Request other(int command, int flags, long offset, long length) {
        return new Request(command, flags, offset, length, null, 0, -1);
    }

    long end() {
        return offset + length;
    }

    /** "NBD_CMD_READ offset=4096 length=65536" for messages. */
    String describe() {
        return NbdConstants.commandName(command) + " offset=" + offset + " length=" + length;
    }
}
