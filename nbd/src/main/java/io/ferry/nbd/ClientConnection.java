package io.ferry.nbd;

import io.ferry.nbd.protocol.Errno;

import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;

import static io.ferry.nbd.protocol.NbdConstants.*;

/**
 * The transmission phase of one client connection: callers send requests under a
 * write lock from their own threads; a single reader thread parses replies and
 * completes futures directly (no thread hop), reading payloads straight into the
 * caller's array. A watchdog fails the connection when requests are in flight and the
 * server has sent nothing for the configured timeout. Any protocol violation or lost
 * connection fails every in-flight request with an {@link NbdException}.
 */
final class ClientConnection {
    /** Largest non-data chunk we accept (block status with ~8M extents). */
    private static final long MAX_METADATA_CHUNK = 64L << 20;

    static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "nbd-client-watchdog");
        t.setDaemon(true);
        return t;
    });

    private final SocketChannel channel;
    private final WireReader in;
    private final String peer;
    private final NegotiatedExport export;
    private final long timeoutNanos;
    private final InflightRequests inflight = new InflightRequests();
    private final Semaphore permits;
    private final ReentrantLock writeLock = new ReentrantLock();
    private final ByteBuffer header = ByteBuffer.allocateDirect(REQUEST_HEADER_SIZE).order(ByteOrder.BIG_ENDIAN);
    private final AtomicBoolean closing = new AtomicBoolean();
    private final Object failLock = new Object();
    private volatile NbdException failure;
    private final Thread reader;
    private final ScheduledFuture<?> watchdog;

    final LongAdder bytesRead = new LongAdder();
    final LongAdder bytesWritten = new LongAdder();
    final LongAdder requests = new LongAdder();

    ClientConnection(SocketChannel channel, WireReader in, String peer, NegotiatedExport export,
                     Duration timeout, int maxInFlight) {
        this.channel = channel;
        this.in = in;
        this.peer = peer;
        this.export = export;
        this.timeoutNanos = timeout.toNanos();
        this.permits = new Semaphore(maxInFlight);
        this.reader = new Thread(this::readLoop, "nbd-reader " + peer);
        reader.setDaemon(true);
        reader.start();
        long tick = Math.clamp(timeout.toMillis() / 4, 10, 1000);
        this.watchdog = WATCHDOG.scheduleAtFixedRate(this::checkTimeout, tick, tick, TimeUnit.MILLISECONDS);
    }

    int inFlightHighWater() {
        return inflight.highWater();
    }

    // ---------------------------------------------------------------- sending

    /**
     * Registers and sends a request; the payload (for writes) is fully written before
     * this returns, so the caller may reuse its array. Never throws: failures complete
     * the request's future.
     */
    void send(Request r, byte[] payload, int payloadOffset, int payloadLength) {
        if (Thread.currentThread() != reader) { // a callback on the reader thread must never block
            try {
                permits.acquire();
                r.holdsPermit = true;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                r.future.completeExceptionally(new InterruptedIOException("interrupted before sending " + r.describe()));
                return;
            }
        }
        NbdException f = failure;
        if (f != null || closing.get()) {
            release(r);
            r.future.completeExceptionally(f != null ? perRequest(f, r) : closedError(r));
            return;
        }
        inflight.add(r);
        if (failure != null) { // lost the race with fail(): make sure the request is not orphaned
            if (inflight.remove(r)) {
                release(r);
                r.future.completeExceptionally(perRequest(failure, r));
            }
            return;
        }
        requests.increment();
        writeLock.lock();
        try {
            header.clear();
            header.putInt(REQUEST_MAGIC).putShort((short) r.flags).putShort((short) r.command)
                    .putLong(r.handle).putLong(r.offset).putInt((int) r.length).flip();
            if (payload == null) {
                Sockets.writeFully(channel, header);
            } else {
                Sockets.writeFully(channel, new ByteBuffer[] {header, ByteBuffer.wrap(payload, payloadOffset, payloadLength)});
                bytesWritten.add(payloadLength);
            }
            inflight.busySinceNanos = System.nanoTime(); // sending counts as progress for the watchdog
        } catch (IOException e) {
            fail(new NbdException(peer + ": connection lost while sending " + r.describe() + ": " + e
                    + "; hint: the server closed the connection or crashed; check the server's log", e));
        } finally {
            writeLock.unlock();
        }
    }

    private void release(Request r) {
        if (r.holdsPermit) {
            r.holdsPermit = false;
            permits.release();
        }
    }

    // ---------------------------------------------------------------- receiving

    private void readLoop() {
        try {
            while (true) {
                readReply();
            }
        } catch (NbdException e) {
            fail(e);
        } catch (EOFException e) {
            if (!closing.get()) {
                int n = inflight.size();
                fail(new NbdException(peer + ": server closed the connection" + (n > 0 ? " with " + n
                        + " request(s) in flight (oldest: " + describeOldest() + ")" : "")
                        + "; hint: the server crashed, was killed or dropped this client; check the server's log", e));
            }
        } catch (ClosedChannelException e) {
            if (!closing.get() && failure == null) {
                fail(new NbdException(peer + ": connection closed", e));
            }
        } catch (IOException e) {
            if (!closing.get() || inflight.size() > 0) {
                fail(new NbdException(peer + ": error reading from the server: " + e
                        + "; hint: the connection was reset; check the server's log", e));
            }
        } catch (RuntimeException | Error e) {
            fail(new NbdException(peer + ": internal error in the NBD reply reader: " + e, e));
        } finally {
            if (closing.get()) {
                failAll(closedError(null));
            }
        }
    }

    private void readReply() throws IOException {
        int magic = in.i32();
        if (magic == SIMPLE_REPLY_MAGIC) {
            readSimpleReply();
        } else if (magic == STRUCTURED_REPLY_MAGIC) {
            readStructuredChunk();
        } else {
            throw violation("bad reply magic 0x" + Integer.toHexString(magic) + " (expected simple 0x67446698 or structured 0x668e33ef)"
                    + " - the stream is out of sync, e.g. after a reply longer than the request asked for");
        }
    }

    private Request lookup(long handle, String what) throws NbdException {
        Request r = inflight.get(handle);
        if (r == null) {
            throw violation(what + " for unknown handle " + handle + " (no such request in flight)");
        }
        return r;
    }

    private void readSimpleReply() throws IOException {
        int error = in.i32();
        long handle = in.i64();
        Request r = lookup(handle, "simple reply");
        if (error != 0) {
            finish(r, serverError(r, error, ""));
            return;
        }
        if (r.command == CMD_READ) {
            if (export.structuredReplies()) {
                throw violation("simple reply carrying data for " + r.describe() + " after structured replies were negotiated");
            }
            in.readFully(r.dst, r.dstOffset, (int) r.length);
            r.covered = r.length;
            bytesRead.add(r.length);
        } else if (r.command == CMD_BLOCK_STATUS) {
            throw violation("simple success reply to " + r.describe() + " (block status needs a structured reply)");
        }
        finish(r, null);
    }

    private void readStructuredChunk() throws IOException {
        int flags = in.u16();
        int type = in.u16();
        long handle = in.i64();
        long length = in.u32();
        Request r = lookup(handle, replyTypeName(type) + " chunk");
        if (!export.structuredReplies()) {
            throw violation("structured reply chunk although structured replies were not negotiated");
        }
        switch (type) {
            case REPLY_TYPE_NONE -> {
                if (length != 0) {
                    throw violation("NBD_REPLY_TYPE_NONE with " + length + " bytes of payload");
                }
                if ((flags & REPLY_FLAG_DONE) == 0) {
                    throw violation("NBD_REPLY_TYPE_NONE without the DONE flag");
                }
            }
            case REPLY_TYPE_OFFSET_DATA -> {
                requireCommand(r, CMD_READ, type);
                if (length <= 8 || length - 8 > r.length) {
                    throw violation("NBD_REPLY_TYPE_OFFSET_DATA chunk of " + length + " bytes for " + r.describe()
                            + " (reply longer than requested)");
                }
                long offset = in.i64();
                int dataLen = (int) (length - 8);
                checkRange(r, offset, dataLen, type);
                in.readFully(r.dst, r.dstOffset + (int) (offset - r.offset), dataLen);
                r.covered += dataLen;
                bytesRead.add(dataLen);
            }
            case REPLY_TYPE_OFFSET_HOLE -> {
                requireCommand(r, CMD_READ, type);
                if (length != 12) {
                    throw violation("NBD_REPLY_TYPE_OFFSET_HOLE chunk has " + length + " bytes, expected 12");
                }
                long offset = in.i64();
                long holeLen = in.u32();
                if (holeLen == 0) {
                    throw violation("NBD_REPLY_TYPE_OFFSET_HOLE of zero length for " + r.describe());
                }
                checkRange(r, offset, holeLen, type);
                int from = r.dstOffset + (int) (offset - r.offset);
                Arrays.fill(r.dst, from, from + (int) holeLen, (byte) 0);
                r.covered += holeLen;
                bytesRead.add(holeLen);
            }
            case REPLY_TYPE_BLOCK_STATUS -> {
                requireCommand(r, CMD_BLOCK_STATUS, type);
                if (length < 12 || (length - 4) % 8 != 0 || length > MAX_METADATA_CHUNK) {
                    throw violation("NBD_REPLY_TYPE_BLOCK_STATUS chunk has an invalid length of " + length + " bytes");
                }
                int contextId = in.i32();
                long n = (length - 4) / 8;
                if (contextId != r.contextId) {
                    in.skip(length - 4);
                } else {
                    if (r.covered != 0 || !r.extents.isEmpty()) {
                        throw violation("second NBD_REPLY_TYPE_BLOCK_STATUS chunk for the same context in " + r.describe());
                    }
                    r.covered = -1; // marks "context seen" even when everything got clipped
                    long cursor = r.offset;
                    for (long i = 0; i < n; i++) {
                        long extLen = in.u32();
                        int extFlags = in.i32();
                        if (extLen == 0) {
                            throw violation("zero-length extent in NBD_REPLY_TYPE_BLOCK_STATUS for " + r.describe());
                        }
                        if (cursor < r.end()) {
                            long clipped = Math.min(extLen, r.end() - cursor);
                            r.extents.add(new Extent(cursor, clipped, extFlags));
                        }
                        cursor += extLen;
                    }
                }
            }
            case REPLY_TYPE_ERROR, REPLY_TYPE_ERROR_OFFSET -> readErrorChunk(r, type, length);
            default -> {
                if ((type & 0x8000) != 0) { // unknown error type: errno + message are still at the front
                    readErrorChunk(r, type, length);
                } else {
                    throw violation("unknown structured reply chunk type " + type + " for " + r.describe());
                }
            }
        }
        if ((flags & REPLY_FLAG_DONE) != 0) {
            NbdException err = r.serverError;
            if (err == null && r.command == CMD_READ && r.covered != r.length) {
                throw violation("server finished " + r.describe() + " after describing only " + r.covered
                        + " bytes (missing data would be returned as wrong bytes)");
            }
            if (err == null && r.command == CMD_BLOCK_STATUS && r.covered != -1) {
                throw violation("server finished " + r.describe() + " without extents for the requested meta context");
            }
            finish(r, err);
        }
    }

    private void readErrorChunk(Request r, int type, long length) throws IOException {
        if (length < 6 || length > MAX_METADATA_CHUNK) {
            throw violation(replyTypeName(type) + " chunk has an invalid length of " + length + " bytes");
        }
        int errno = in.i32();
        int msgLen = in.u16();
        long fixed = 6 + msgLen + (type == REPLY_TYPE_ERROR_OFFSET ? 8 : 0);
        if (type == REPLY_TYPE_ERROR || type == REPLY_TYPE_ERROR_OFFSET ? fixed != length : fixed > length) {
            throw violation(replyTypeName(type) + " chunk length " + length + " does not match its message length " + msgLen);
        }
        String msg = in.string(msgLen);
        String where = "";
        if (type == REPLY_TYPE_ERROR_OFFSET) {
            long at = in.i64();
            if (at < r.offset || at >= r.end()) {
                throw violation("NBD_REPLY_TYPE_ERROR_OFFSET at offset " + at + " outside " + r.describe());
            }
            where = " at offset " + at;
        } else if (fixed < length) {
            in.skip(length - fixed);
        }
        if (errno == 0) {
            throw violation(replyTypeName(type) + " chunk with error value 0 for " + r.describe());
        }
        if (r.serverError == null) {
            r.serverError = serverError(r, errno, (msg.isEmpty() ? "" : msg) + where);
        }
    }

    private void requireCommand(Request r, int command, int type) throws NbdException {
        if (r.command != command) {
            throw violation(replyTypeName(type) + " chunk in reply to " + r.describe());
        }
    }

    private void checkRange(Request r, long offset, long len, int type) throws NbdException {
        if (offset < r.offset || offset + len > r.end() || offset + len < offset) {
            throw violation(replyTypeName(type) + " chunk for [" + offset + ", " + (offset + len)
                    + ") lies outside the requested range of " + r.describe());
        }
        if (r.covered + len > r.length) {
            throw violation(replyTypeName(type) + " chunks describe more than the " + r.length + " bytes of " + r.describe());
        }
    }

    private void finish(Request r, NbdException error) {
        if (!inflight.remove(r)) {
            return;
        }
        release(r);
        if (error == null) {
            r.future.complete(null);
        } else {
            r.future.completeExceptionally(error);
        }
    }

    private NbdException serverError(Request r, int errno, String message) {
        String hint = switch (errno) {
            case Errno.EPERM -> "the export is read-only or the server forbids this";
            case Errno.EIO -> "the server could not read or write its backing storage; check the server's log";
            case Errno.EINVAL -> "the request is out of range or misaligned for this server";
            case Errno.ENOSPC -> "the server's storage is full";
            case Errno.EOVERFLOW -> "the request is larger than the server accepts";
            case Errno.ENOTSUP -> "the server does not implement this command";
            case Errno.ESHUTDOWN -> "the server is shutting down; reconnect later";
            default -> "check the server's log";
        };
        return new NbdException(peer + ": " + r.describe() + " failed on the server: " + Errno.name(errno)
                + " (" + Errno.describe(errno) + ")" + (message.isEmpty() ? "" : ": " + message.strip())
                + "; hint: " + hint, errno, null);
    }

    private NbdException violation(String what) {
        return new NbdException(peer + ": protocol violation: " + what
                + "; hint: the server is buggy or not an NBD server; the connection was closed so no wrong data is returned");
    }

    // ---------------------------------------------------------------- failure, timeout, close

    private void checkTimeout() {
        if (inflight.size() == 0 || failure != null) {
            return;
        }
        long now = System.nanoTime();
        long lastProgress = Math.max(in.lastReceiveNanos, inflight.busySinceNanos);
        if (now - lastProgress > timeoutNanos) {
            // fail on a fresh thread: completing futures runs callers' callbacks, which must not stall the shared watchdog
            NbdException timeout = new NbdException(peer + ": no reply from the server for " + Duration.ofNanos(timeoutNanos).toMillis()
                    + " ms with " + inflight.size() + " request(s) in flight (oldest: " + describeOldest()
                    + "); hint: the server is hung or unreachable; if its storage is merely slow, raise the timeout"
                    + " (NbdClient.Options.withTimeout)");
            Thread.ofVirtual().name("nbd-timeout " + peer).start(() -> fail(timeout));
        }
    }

    private String describeOldest() {
        Request r = inflight.oldest();
        return r == null ? "none" : r.describe();
    }

    /** Marks the connection dead, closes the socket and fails everything in flight. */
    void fail(NbdException cause) {
        synchronized (failLock) {
            if (failure != null) {
                return;
            }
            failure = cause;
        }
        watchdog.cancel(false);
        try {
            channel.close();
        } catch (IOException ignored) {
            // already failing
        }
        failAll(cause);
    }

    private void failAll(NbdException cause) {
        for (Request r : inflight.drain()) {
            release(r);
            r.future.completeExceptionally(cause == null ? closedError(r) : perRequest(cause, r));
        }
    }

    private static NbdException perRequest(NbdException cause, Request r) {
        if (r == null) {
            return cause;
        }
        return new NbdException(cause.getMessage() + " [failed request: " + r.describe() + "]", cause.errno(), cause);
    }

    private NbdException closedError(Request r) {
        return new NbdException(peer + ": the NBD client was closed" + (r == null ? "" : " before " + r.describe() + " completed")
                + "; hint: do not use an NbdClient after close()");
    }

    /** The failure that killed the connection, or null while it is healthy. */
    NbdException failure() {
        return failure;
    }

    /** Sends NBD_CMD_DISC (when healthy), waits briefly for outstanding replies and closes. */
    void close() {
        boolean onReader = Thread.currentThread() == reader;
        if (failure == null && !closing.get() && !onReader) {
            // give outstanding requests a chance to complete before disconnecting
            long deadline = System.nanoTime() + Math.min(timeoutNanos, TimeUnit.SECONDS.toNanos(5));
            while (inflight.size() > 0 && failure == null && System.nanoTime() < deadline) {
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        if (failure == null) {
            writeLock.lock();
            try {
                header.clear();
                header.putInt(REQUEST_MAGIC).putShort((short) 0).putShort((short) CMD_DISC)
                        .putLong(0).putLong(0).putInt(0).flip();
                Sockets.writeFully(channel, header);
                channel.shutdownOutput();
            } catch (IOException ignored) {
                // the server is gone already; closing anyway
            } finally {
                writeLock.unlock();
            }
            try {
                if (!onReader) {
                    reader.join(1000); // the server closes after DISC; the reader then sees EOF
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        watchdog.cancel(false);
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing
        }
        failAll(null);
    }

}
