package io.ferry.nbd;

import io.ferry.nbd.protocol.NbdConstants;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.ferry.nbd.protocol.NbdConstants.*;

/**
 * An NBD client for one export over one connection (Unix socket or TCP).
 *
 * <p>The handshake uses fixed newstyle negotiation with NBD_OPT_STRUCTURED_REPLY,
 * NBD_OPT_SET_META_CONTEXT and NBD_OPT_GO (NBD_OPT_EXPORT_NAME for old servers).
 * Requests are pipelined: any number of threads may call the methods concurrently and
 * up to {@link Options#maxInFlight()} requests are on the wire at once. Replies are
 * read by one reader thread that copies payloads straight into the destination array
 * and completes the futures itself, so dependent stages of {@link #readAsync} run on
 * that thread unless you use an {@code *Async} stage; keep them short.
 *
 * <p>Requests larger than the server's maximum block size are split transparently.
 * Every failure is an {@link NbdException}: server errors (with {@link NbdException#errno()}),
 * refused options, protocol violations, timeouts (no byte from the server for
 * {@link Options#timeout()} while requests are pending) and lost connections. A
 * protocol violation, timeout or lost connection fails all requests in flight and the
 * client stays unusable; a server error fails just that request.
 */
public final class NbdClient implements AutoCloseable {

    /**
     * Client settings.
     *
     * @param timeout how long the server may stay silent while requests are pending (also bounds the handshake)
     * @param maxInFlight most requests on the wire at once; further calls wait for a slot
     * @param structuredReplies whether to ask for structured replies (needed for block status and
     *        sparse reads; turn off only to talk to a server the old way, e.g. in tests)
     */
    public record Options(Duration timeout, int maxInFlight, boolean structuredReplies) {
        public Options {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("timeout must be positive: " + timeout);
            }
            if (maxInFlight < 1) {
                throw new IllegalArgumentException("maxInFlight must be >= 1: " + maxInFlight);
            }
        }

        /** 60 s timeout, 64 requests in flight. */
        public static Options defaults() {
            return new Options(Duration.ofSeconds(60), 64, true);
        }

        public Options withTimeout(Duration t) {
            return new Options(t, maxInFlight, structuredReplies);
        }

        public Options withMaxInFlight(int n) {
            return new Options(timeout, n, structuredReplies);
        }

        public Options withStructuredReplies(boolean on) {
            return new Options(timeout, maxInFlight, on);
        }
    }

    /**
     * Counters since connect.
     *
     * @param bytesRead payload bytes received for reads (data and holes)
     * @param bytesWritten payload bytes sent by writes
     * @param requests requests sent
     * @param inFlightHighWater most requests that were in flight at once
     */
    public record Stats(long bytesRead, long bytesWritten, long requests, int inFlightHighWater) {}

    /** Largest length for one WRITE_ZEROES/TRIM/BLOCK_STATUS request (aligned to any block size). */
    private static final long MAX_NON_PAYLOAD_REQUEST = 1L << 30;
    private static final int REPLY_BUFFER = 256 << 10;

    private final String peer;
    private final String exportName;
    private final NegotiatedExport export;
    private final ClientConnection connection;
    private final List<String> contexts;

    private NbdClient(String peer, String exportName, NegotiatedExport export, ClientConnection connection) {
        this.peer = peer;
        this.exportName = exportName;
        this.export = export;
        this.connection = connection;
        this.contexts = List.copyOf(export.metaContexts().keySet());
    }

    /** Connects with {@link Options#defaults()}. */
    public static NbdClient connect(NbdAddress address, String exportName, List<String> metaContexts) throws IOException {
        return connect(address, exportName, metaContexts, Options.defaults());
    }

    /**
     * Connects to {@code exportName} ("" = the server's default export) and asks for the
     * given meta contexts (e.g. {@code base:allocation}, {@code qemu:dirty-bitmap:NAME});
     * {@link #metaContexts()} tells which ones the server granted.
     */
    public static NbdClient connect(NbdAddress address, String exportName, List<String> metaContexts, Options options)
            throws IOException {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(exportName, "exportName");
        Objects.requireNonNull(options, "options");
        List<String> wanted = List.copyOf(metaContexts == null ? List.of() : metaContexts);
        String peer = address.toUri(exportName);
        SocketChannel ch = Sockets.open(address);
        AtomicBoolean timedOut = new AtomicBoolean();
        ScheduledFuture<?> deadline = ClientConnection.WATCHDOG.schedule(() -> {
            timedOut.set(true);
            try {
                ch.close();
            } catch (IOException ignored) {
                // the handshake fails with the timeout message
            }
        }, options.timeout().toMillis(), TimeUnit.MILLISECONDS);
        NegotiatedExport negotiated;
        WireReader in = new WireReader(ch, REPLY_BUFFER);
        try {
            try {
                Sockets.connect(ch, address);
            } catch (IOException e) {
                if (timedOut.get()) {
                    throw e;
                }
                throw new NbdException("cannot connect to " + peer + ": " + e
                        + "; hint: is the NBD server running and listening on "
                        + (address instanceof NbdAddress.Unix u ? "the socket " + u.socket() + "?" : "that host and port?"), e);
            }
            negotiated = new ClientHandshake(ch, in, address, exportName).negotiate(wanted, options.structuredReplies());
        } catch (IOException e) {
            closeQuietly(ch);
            if (timedOut.get()) {
                throw new NbdException(peer + ": timed out after " + options.timeout().toMillis()
                        + " ms connecting and negotiating with the server; hint: the server is hung or is not an NBD server", e);
            }
            throw e instanceof NbdException ne ? ne : new NbdException(peer + ": handshake failed: " + e
                    + "; hint: check the server's log", e);
        } catch (RuntimeException e) {
            closeQuietly(ch);
            throw e;
        } finally {
            deadline.cancel(false);
        }
        if (timedOut.get()) {
            closeQuietly(ch);
            throw new NbdException(peer + ": timed out after " + options.timeout().toMillis() + " ms during the handshake");
        }
        ClientConnection conn = new ClientConnection(ch, in, peer, negotiated, options.timeout(), options.maxInFlight());
        return new NbdClient(peer, exportName, negotiated, conn);
    }

    private static void closeQuietly(SocketChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // best effort
        }
    }

    // ---------------------------------------------------------------- negotiated facts

    /** Export size in bytes. */
    public long size() {
        return export.size();
    }

    /** Whether the server marked the export read-only. */
    public boolean readOnly() {
        return (export.transmissionFlags() & TFLAG_READ_ONLY) != 0;
    }

    /** The 16 transmission flags the server sent (NBD_FLAG_*, see {@link NbdConstants}). */
    public int transmissionFlags() {
        return export.transmissionFlags();
    }

    /** Meta contexts the server granted, in the server's order. */
    public List<String> metaContexts() {
        return contexts;
    }

    /** Whether structured replies were negotiated. */
    public boolean structuredReplies() {
        return export.structuredReplies();
    }

    /** Minimum block size from NBD_INFO_BLOCK_SIZE (1 if not sent). */
    public int minBlockSize() {
        return export.minBlockSize();
    }

    /** Preferred block size from NBD_INFO_BLOCK_SIZE (4096 if not sent). */
    public int preferredBlockSize() {
        return export.preferredBlockSize();
    }

    /** Maximum payload per request from NBD_INFO_BLOCK_SIZE (32 MiB if not sent); larger requests are split. */
    public int maxBlockSize() {
        return export.maxBlockSize();
    }

    /** The server and export as an NBD URI, as used in messages. */
    public String peer() {
        return peer;
    }

    /** The export name this client opened. */
    public String exportName() {
        return exportName;
    }

    /** Counters since connect. */
    public Stats stats() {
        return new Stats(connection.bytesRead.sum(), connection.bytesWritten.sum(), connection.requests.sum(),
                connection.inFlightHighWater());
    }

    // ---------------------------------------------------------------- reads

    /** Reads {@code length} bytes at {@code offset}. */
    public byte[] read(long offset, int length) throws IOException {
        byte[] dst = new byte[length];
        read(offset, dst, 0, length);
        return dst;
    }

    /** Reads {@code length} bytes at {@code offset} into {@code dst[dstOffset..]}. */
    public void read(long offset, byte[] dst, int dstOffset, int length) throws IOException {
        await(readAsync(offset, dst, dstOffset, length), "read offset=" + offset + " length=" + length);
    }

    /** Starts a read; the future completes with a new array of {@code length} bytes. */
    public CompletableFuture<byte[]> readAsync(long offset, int length) {
        byte[] dst = new byte[length];
        return readAsync(offset, dst, 0, length).thenApply(v -> dst);
    }

    /**
     * Starts a read into {@code dst[dstOffset..dstOffset+length)}; the array must not be
     * touched until the future completes. Blocks only while {@link Options#maxInFlight()}
     * requests are already on the wire.
     */
    public CompletableFuture<Void> readAsync(long offset, byte[] dst, int dstOffset, int length) {
        Objects.checkFromIndexSize(dstOffset, length, dst.length);
        CompletableFuture<Void> bad = checkRange("read", offset, length, false);
        if (bad != null) {
            return bad;
        }
        if (length == 0) {
            return CompletableFuture.completedFuture(null);
        }
        int max = export.maxBlockSize();
        if (length <= max) {
            Request r = Request.read(offset, length, dst, dstOffset);
            connection.send(r, null, 0, 0);
            return r.future;
        }
        List<CompletableFuture<Void>> parts = new ArrayList<>();
        for (int done = 0; done < length; done += max) {
            int n = Math.min(max, length - done);
            Request r = Request.read(offset + done, n, dst, dstOffset + done);
            connection.send(r, null, 0, 0);
            parts.add(r.future);
        }
        return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new));
    }

    // ---------------------------------------------------------------- block status

    /**
     * Extents of {@code metaContext} covering exactly {@code [offset, offset+length)},
     * asking the server as often as needed; adjacent extents with equal flags are merged.
     */
    public List<Extent> blockStatus(String metaContext, long offset, long length) throws IOException {
        Integer id = export.metaContexts().get(metaContext);
        if (id == null) {
            String hint = metaContext.startsWith(QEMU_DIRTY_BITMAP_PREFIX)
                    ? "pass it to connect() and make sure the server exports the bitmap (qemu-nbd --bitmap NAME, or a"
                      + " libvirt/QEMU backup job) and that the bitmap exists (qemu-img info)"
                    : "pass it to connect(); list the server's contexts with nbdinfo --json '" + peer + "'";
            throw new NbdException(peer + ": meta context '" + metaContext + "' was not negotiated (granted: "
                    + contexts + "); hint: " + hint);
        }
        CompletableFuture<Void> bad = checkRange("block status", offset, length, false);
        if (bad != null) {
            await(bad, "block status");
        }
        List<Extent> merged = new ArrayList<>();
        long cursor = offset;
        long end = offset + length;
        while (cursor < end) {
            long n = Math.min(end - cursor, MAX_NON_PAYLOAD_REQUEST);
            Request r = Request.blockStatus(cursor, n, id);
            connection.send(r, null, 0, 0);
            await(r.future, r.describe());
            if (r.extents.isEmpty()) {
                throw new NbdException(peer + ": protocol violation: server returned no extents for " + r.describe()
                        + " in context " + metaContext + "; hint: the server is buggy");
            }
            for (Extent e : r.extents) {
                Extent last = merged.isEmpty() ? null : merged.getLast();
                if (last != null && last.flags() == e.flags() && last.end() == e.offset()) {
                    merged.set(merged.size() - 1, new Extent(last.offset(), last.length() + e.length(), e.flags()));
                } else {
                    merged.add(e);
                }
            }
            cursor = r.extents.getLast().end();
        }
        return merged;
    }

    // ---------------------------------------------------------------- writes

    /** Writes {@code data[off..off+len)} at {@code offset} and waits for the server's acknowledgement. */
    public void write(long offset, byte[] data, int off, int len) throws IOException {
        await(writeAsync(offset, data, off, len), "write offset=" + offset + " length=" + len);
    }

    /**
     * Sends a write and returns once the payload is on the wire: {@code data} may be reused
     * immediately; the future completes when the server acknowledges.
     */
    public CompletableFuture<Void> writeAsync(long offset, byte[] data, int off, int len) {
        Objects.checkFromIndexSize(off, len, data.length);
        CompletableFuture<Void> bad = checkRange("write", offset, len, true);
        if (bad != null) {
            return bad;
        }
        if (len == 0) {
            return CompletableFuture.completedFuture(null);
        }
        int max = export.maxBlockSize();
        List<CompletableFuture<Void>> parts = new ArrayList<>();
        for (int done = 0; done < len; done += max) {
            int n = Math.min(max, len - done);
            Request r = Request.other(CMD_WRITE, 0, offset + done, n);
            connection.send(r, data, off + done, n);
            parts.add(r.future);
        }
        return parts.size() == 1 ? parts.getFirst() : CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new));
    }

    /**
     * Makes {@code [offset, offset+length)} read as zeroes. With {@code mayTrim} the server
     * may deallocate the range; without it the zeroes are written as allocated data
     * (NBD_CMD_FLAG_NO_HOLE). Servers without WRITE_ZEROES get ordinary writes of zeroes.
     */
    public void writeZeroes(long offset, long length, boolean mayTrim) throws IOException {
        CompletableFuture<Void> bad = checkRange("write zeroes", offset, length, true);
        if (bad != null) {
            await(bad, "write zeroes");
        }
        List<CompletableFuture<Void>> parts = new ArrayList<>();
        if ((export.transmissionFlags() & TFLAG_SEND_WRITE_ZEROES) != 0) {
            for (long done = 0; done < length; done += MAX_NON_PAYLOAD_REQUEST) {
                long n = Math.min(MAX_NON_PAYLOAD_REQUEST, length - done);
                Request r = Request.other(CMD_WRITE_ZEROES, mayTrim ? 0 : CMD_FLAG_NO_HOLE, offset + done, n);
                connection.send(r, null, 0, 0);
                parts.add(r.future);
            }
        } else {
            int chunk = Math.min(export.maxBlockSize(), 1 << 20);
            byte[] zeroes = new byte[chunk];
            for (long done = 0; done < length; done += chunk) {
                int n = (int) Math.min(chunk, length - done);
                Request r = Request.other(CMD_WRITE, 0, offset + done, n);
                connection.send(r, zeroes, 0, n);
                parts.add(r.future);
            }
        }
        await(CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)),
                "write zeroes offset=" + offset + " length=" + length);
    }

    /** Asks the server to persist completed writes; a no-op when the server has no flush (NBD_FLAG_SEND_FLUSH unset). */
    public void flush() throws IOException {
        if ((export.transmissionFlags() & TFLAG_SEND_FLUSH) == 0) {
            return;
        }
        Request r = Request.other(CMD_FLUSH, 0, 0, 0);
        connection.send(r, null, 0, 0);
        await(r.future, r.describe());
    }

    /**
     * Tells the server the range is no longer needed (contents become unspecified). A
     * no-op when the server has no trim (NBD_FLAG_SEND_TRIM unset), since trim is advisory.
     */
    public void trim(long offset, long length) throws IOException {
        CompletableFuture<Void> bad = checkRange("trim", offset, length, true);
        if (bad != null) {
            await(bad, "trim");
        }
        if ((export.transmissionFlags() & TFLAG_SEND_TRIM) == 0) {
            return;
        }
        List<CompletableFuture<Void>> parts = new ArrayList<>();
        for (long done = 0; done < length; done += MAX_NON_PAYLOAD_REQUEST) {
            long n = Math.min(MAX_NON_PAYLOAD_REQUEST, length - done);
            Request r = Request.other(CMD_TRIM, 0, offset + done, n);
            connection.send(r, null, 0, 0);
            parts.add(r.future);
        }
        await(CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)), "trim offset=" + offset + " length=" + length);
    }

    /** Waits briefly for outstanding requests, sends NBD_CMD_DISC and closes the socket. Idempotent. */
    @Override
    public void close() {
        connection.close();
    }

    // ---------------------------------------------------------------- helpers

    private CompletableFuture<Void> checkRange(String op, long offset, long length, boolean writes) {
        String problem = null;
        if (writes && readOnly()) {
            problem = "the export is read-only; hint: connect to a writable export (qemu-nbd without --read-only)";
        } else if (offset < 0 || length < 0 || offset + length > export.size() || offset + length < 0) {
            problem = "range [" + offset + ", " + (offset + length) + ") is outside the export of " + export.size()
                    + " bytes; hint: check the offset and length against size()";
        } else if (connection.failure() != null) {
            problem = "the connection is dead: " + connection.failure().getMessage();
        }
        if (problem == null) {
            return null;
        }
        return CompletableFuture.failedFuture(new NbdException(peer + ": cannot " + op + " at offset " + offset
                + " length " + length + ": " + problem, 0, connection.failure()));
    }

    /** Waits and rethrows failures with the caller's stack (original as cause). */
    private static void await(CompletableFuture<?> f, String what) throws IOException {
        try {
            f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            InterruptedIOException ie = new InterruptedIOException("interrupted while waiting for " + what);
            ie.initCause(e);
            throw ie;
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof NbdException ne) {
                throw new NbdException(ne.getMessage(), ne.errno(), ne);
            }
            if (c instanceof IOException io) {
                throw io;
            }
            throw new NbdException("NBD " + what + " failed: " + c, c);
        }
    }
}
