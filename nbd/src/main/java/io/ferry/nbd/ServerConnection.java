package io.ferry.nbd;

import io.ferry.nbd.protocol.Errno;

import java.io.EOFException;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.locks.ReentrantLock;

import static io.ferry.nbd.protocol.NbdConstants.*;

/**
 * One client of {@link NbdServer}: the handshake, then the transmission phase. The
 * connection's thread parses requests; reads and block status run on the server's
 * worker executor so several requests per connection proceed at once. Replies are
 * written whole under a lock; a read's data is fully in memory before its reply
 * starts, so a failing source yields an error reply and never wrong bytes.
 */
final class ServerConnection implements Runnable {
    private static final System.Logger LOG = System.getLogger(NbdServer.class.getName());
    /** Requests of one connection processed at once. */
    private static final int MAX_CONCURRENT = 16;
    /** Most extents per block status reply. */
    private static final int MAX_EXTENTS = 1 << 16;

    private final SocketChannel channel;
    private final Map<String, ExportSource> exports;
    private final ExecutorService workers;
    private final BufferPool buffers;
    private final String peerName;
    private final Semaphore slots = new Semaphore(MAX_CONCURRENT);
    private final ReentrantLock writeLock = new ReentrantLock();
    private volatile boolean dead;
    private ServerSession session;

    ServerConnection(SocketChannel channel, Map<String, ExportSource> exports, ExecutorService workers,
                     BufferPool buffers, String peerName) {
        this.channel = channel;
        this.exports = exports;
        this.workers = workers;
        this.buffers = buffers;
        this.peerName = peerName;
    }

    @Override
    public void run() {
        WireReader in = new WireReader(channel, 64 << 10);
        try {
            session = new ServerHandshake(channel, in, exports).run();
            if (session != null) {
                transmit(in);
            }
        } catch (EOFException | ClosedChannelException e) {
            // client went away or server closing
        } catch (IOException e) {
            LOG.log(Level.DEBUG, () -> "nbd server: connection " + peerName + " ended: " + e);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "nbd server: internal error on connection " + peerName, e);
        } finally {
            // let running requests finish their replies (or fail on the closed socket)
            slots.acquireUninterruptibly(MAX_CONCURRENT);
            close();
        }
    }

    void close() {
        dead = true;
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing
        }
    }

    private void transmit(WireReader in) throws IOException {
        long size = session.source().size();
        while (!dead) {
            int magic = in.i32();
            if (magic != REQUEST_MAGIC) {
                LOG.log(Level.DEBUG, () -> "nbd server: bad request magic 0x" + Integer.toHexString(magic) + " from " + peerName);
                return; // stream out of sync: hard disconnect
            }
            int flags = in.u16();
            int type = in.u16();
            long handle = in.i64();
            long offset = in.i64();
            long length = in.u32();
            switch (type) {
                case CMD_READ -> {
                    int err = checkRange(offset, length, size, true);
                    if (err != 0) {
                        replyError(handle, err, commandName(type) + " offset " + offset + " length " + length
                                + (err == Errno.EOVERFLOW ? " exceeds the maximum block size " + ServerHandshake.MAX_BLOCK
                                : " is outside the export of " + size + " bytes"));
                    } else {
                        dispatch(() -> serveRead(handle, offset, (int) length));
                    }
                }
                case CMD_BLOCK_STATUS -> {
                    int err = checkRange(offset, length, size, false);
                    if (session.allocationContextId() < 0) {
                        replyError(handle, Errno.EINVAL, "no meta context was negotiated (use NBD_OPT_SET_META_CONTEXT base:allocation)");
                    } else if (err != 0) {
                        replyError(handle, err, "block status offset " + offset + " length " + length
                                + " is outside the export of " + size + " bytes");
                    } else {
                        dispatch(() -> serveBlockStatus(handle, flags, offset, length));
                    }
                }
                case CMD_WRITE -> {
                    in.skip(length);
                    replyError(handle, Errno.EPERM, "export is read-only");
                }
                case CMD_WRITE_ZEROES, CMD_TRIM, CMD_RESIZE -> replyError(handle, Errno.EPERM, "export is read-only");
                case CMD_FLUSH, CMD_CACHE -> replySimple(handle, 0);
                case CMD_DISC -> {
                    return;
                }
                default -> replyError(handle, Errno.EINVAL, "unsupported command " + type);
            }
        }
    }

    private static int checkRange(long offset, long length, long size, boolean payload) {
        if (length == 0 || offset < 0 || offset + length > size || offset + length < 0) {
            return Errno.EINVAL;
        }
        if (payload && length > ServerHandshake.MAX_BLOCK) {
            return Errno.EOVERFLOW;
        }
        return 0;
    }

    private void dispatch(Runnable task) {
        slots.acquireUninterruptibly();
        try {
            workers.execute(() -> {
                try {
                    task.run();
                } finally {
                    slots.release();
                }
            });
        } catch (RuntimeException e) { // executor shut down: server is closing
            slots.release();
            close();
        }
    }

    private void serveRead(long handle, long offset, int length) {
        ByteBuffer data = buffers.take(length);
        try {
            try {
                session.source().read(offset, data);
                if (data.hasRemaining()) {
                    throw new IOException("export source filled only " + data.position() + " of " + length + " bytes");
                }
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.WARNING, () -> "nbd server: read of export '" + session.exportName() + "' offset "
                        + offset + " length " + length + " failed: " + e);
                replyError(handle, Errno.EIO, "read of offset " + offset + " length " + length + " failed: " + e.getMessage());
                return;
            }
            data.flip();
            if (session.structuredReplies()) {
                ByteBuffer h = ByteBuffer.allocate(STRUCTURED_REPLY_HEADER_SIZE + 8);
                h.putInt(STRUCTURED_REPLY_MAGIC).putShort((short) REPLY_FLAG_DONE).putShort((short) REPLY_TYPE_OFFSET_DATA)
                        .putLong(handle).putInt(8 + length).putLong(offset).flip();
                send(h, data);
            } else {
                ByteBuffer h = ByteBuffer.allocate(SIMPLE_REPLY_HEADER_SIZE);
                h.putInt(SIMPLE_REPLY_MAGIC).putInt(0).putLong(handle).flip();
                send(h, data);
            }
        } finally {
            buffers.give(data);
        }
    }

    private void serveBlockStatus(long handle, int flags, long offset, long length) {
        List<Extent> extents;
        try {
            extents = session.source().allocation(offset, length);
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, () -> "nbd server: allocation of export '" + session.exportName() + "' offset "
                    + offset + " length " + length + " failed: " + e);
            replyError(handle, Errno.EIO, "block status of offset " + offset + " length " + length + " failed: " + e.getMessage());
            return;
        }
        boolean one = (flags & CMD_FLAG_REQ_ONE) != 0;
        long end = offset + length;
        ByteBuffer descriptors = ByteBuffer.allocate(8 * Math.min(MAX_EXTENTS, Math.max(1, extents.size())));
        long cursor = offset;
        for (Extent e : extents) {
            if (cursor >= end || !descriptors.hasRemaining() || (one && descriptors.position() > 0)) {
                break;
            }
            if (e.offset() > cursor || e.end() <= cursor) { // gap or out-of-order: stop at what is known
                break;
            }
            long len = Math.min(Math.min(e.end(), end) - cursor, 0xffffffffL & ~0xfffL);
            descriptors.putInt((int) len).putInt(e.flags() & (STATE_HOLE | STATE_ZERO));
            cursor += len;
        }
        if (descriptors.position() == 0) {
            replyError(handle, Errno.EIO, "export source returned no allocation extent for offset " + offset);
            return;
        }
        descriptors.flip();
        ByteBuffer h = ByteBuffer.allocate(STRUCTURED_REPLY_HEADER_SIZE + 4);
        h.putInt(STRUCTURED_REPLY_MAGIC).putShort((short) REPLY_FLAG_DONE).putShort((short) REPLY_TYPE_BLOCK_STATUS)
                .putLong(handle).putInt(4 + descriptors.remaining()).putInt(session.allocationContextId()).flip();
        send(h, descriptors);
    }

    private void replySimple(long handle, int error) {
        ByteBuffer h = ByteBuffer.allocate(SIMPLE_REPLY_HEADER_SIZE);
        h.putInt(SIMPLE_REPLY_MAGIC).putInt(error).putLong(handle).flip();
        send(h, null);
    }

    private void replyError(long handle, int errno, String message) {
        if (!session.structuredReplies()) {
            replySimple(handle, errno);
            return;
        }
        byte[] msg = message.getBytes(StandardCharsets.UTF_8);
        int n = Math.min(msg.length, 4096);
        ByteBuffer h = ByteBuffer.allocate(STRUCTURED_REPLY_HEADER_SIZE + 6 + n);
        h.putInt(STRUCTURED_REPLY_MAGIC).putShort((short) REPLY_FLAG_DONE).putShort((short) REPLY_TYPE_ERROR)
                .putLong(handle).putInt(6 + n).putInt(errno).putShort((short) n).put(msg, 0, n).flip();
        send(h, null);
    }

    private void send(ByteBuffer header, ByteBuffer payload) {
        if (dead) {
            return;
        }
        writeLock.lock();
        try {
            if (payload == null) {
                Sockets.writeFully(channel, header);
            } else {
                Sockets.writeFully(channel, new ByteBuffer[] {header, payload});
            }
        } catch (IOException e) {
            LOG.log(Level.DEBUG, () -> "nbd server: cannot reply to " + peerName + ": " + e);
            close();
        } finally {
            writeLock.unlock();
        }
    }
}
