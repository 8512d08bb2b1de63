package io.ferry.nbd;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.ferry.nbd.protocol.NbdConstants.*;

/**
 * Server side of fixed newstyle negotiation for a read-only server: NBD_OPT_GO, INFO,
 * EXPORT_NAME, LIST, ABORT, STRUCTURED_REPLY, LIST_META_CONTEXT and SET_META_CONTEXT
 * (only {@code base:allocation}); everything else gets NBD_REP_ERR_UNSUP.
 */
final class ServerHandshake {
    static final int ALLOCATION_CONTEXT_ID = 1;
    static final int MIN_BLOCK = 1;
    static final int PREFERRED_BLOCK = 64 << 10;
    static final int MAX_BLOCK = 32 << 20;
    private static final int MAX_OPTION_DATA = 64 << 10;

    private final SocketChannel channel;
    private final WireReader in;
    private final Map<String, ExportSource> exports;

    private boolean structured;
    private boolean noZeroes;
    /** Export whose meta contexts were set, and whether base:allocation was chosen. */
    private ExportSource contextExport;
    private boolean allocationSelected;

    ServerHandshake(SocketChannel channel, WireReader in, Map<String, ExportSource> exports) {
        this.channel = channel;
        this.in = in;
        this.exports = exports;
    }

    /** Runs the handshake; null when the client aborted or went away during it. */
    ServerSession run() throws IOException {
        ByteBuffer hello = ByteBuffer.allocate(18);
        hello.putLong(NBDMAGIC).putLong(IHAVEOPT).putShort((short) (FLAG_FIXED_NEWSTYLE | FLAG_NO_ZEROES)).flip();
        Sockets.writeFully(channel, hello);
        try {
            int clientFlags = in.i32();
            if ((clientFlags & ~(FLAG_C_FIXED_NEWSTYLE | FLAG_C_NO_ZEROES)) != 0) {
                return null; // spec: MUST close on unknown client flags
            }
            noZeroes = (clientFlags & FLAG_C_NO_ZEROES) != 0;
            while (true) {
                long magic = in.i64();
                if (magic != IHAVEOPT) {
                    return null;
                }
                int option = in.i32();
                long len = in.u32();
                if (len > MAX_OPTION_DATA) {
                    in.skip(len);
                    replyError(option, REP_ERR_TOO_BIG, "option data of " + len + " bytes is too large");
                    continue;
                }
                byte[] data = in.bytes((int) len);
                ServerSession s = handle(option, data);
                if (s == ABORTED) {
                    return null;
                }
                if (s != null) {
                    return s;
                }
            }
        } catch (EOFException e) {
            return null;
        }
    }

    private static final ServerSession ABORTED = new ServerSession("", null, false, -1, 0);

    private ServerSession handle(int option, byte[] data) throws IOException {
        ByteBuffer d = ByteBuffer.wrap(data);
        switch (option) {
            case OPT_ABORT -> {
                reply(option, REP_ACK, new byte[0]);
                return ABORTED;
            }
            case OPT_LIST -> {
                if (data.length != 0) {
                    replyError(option, REP_ERR_INVALID, "NBD_OPT_LIST takes no data");
                    return null;
                }
                for (String name : exports.keySet()) {
                    byte[] n = name.getBytes(StandardCharsets.UTF_8);
                    reply(option, REP_SERVER, ByteBuffer.allocate(4 + n.length).putInt(n.length).put(n).array());
                }
                reply(option, REP_ACK, new byte[0]);
                return null;
            }
            case OPT_STRUCTURED_REPLY -> {
                if (data.length != 0) {
                    replyError(option, REP_ERR_INVALID, "NBD_OPT_STRUCTURED_REPLY takes no data");
                } else {
                    structured = true;
                    reply(option, REP_ACK, new byte[0]);
                }
                return null;
            }
            case OPT_EXPORT_NAME -> {
                String name = new String(data, StandardCharsets.UTF_8);
                String resolved = resolve(name);
                if (resolved == null) {
                    return ABORTED; // spec: the only way to refuse EXPORT_NAME is to close
                }
                ExportSource src = exports.get(resolved);
                int flags = transmissionFlags();
                ByteBuffer b = ByteBuffer.allocate(10 + (noZeroes ? 0 : 124));
                b.putLong(src.size()).putShort((short) flags);
                Sockets.writeFully(channel, b.clear());
                return session(resolved, src, flags);
            }
            case OPT_INFO, OPT_GO -> {
                return infoOrGo(option, d);
            }
            case OPT_LIST_META_CONTEXT, OPT_SET_META_CONTEXT -> {
                metaContext(option, d);
                return null;
            }
            default -> {
                replyError(option, REP_ERR_UNSUP, optionName(option) + " is not supported by this read-only server");
                return null;
            }
        }
    }

    private ServerSession infoOrGo(int option, ByteBuffer d) throws IOException {
        String name;
        List<Integer> infos = new ArrayList<>();
        try {
            name = string(d, d.getInt());
            int n = d.getShort() & 0xffff;
            for (int i = 0; i < n; i++) {
                infos.add(d.getShort() & 0xffff);
            }
            if (d.hasRemaining()) {
                throw new IllegalArgumentException("trailing bytes");
            }
        } catch (RuntimeException e) {
            replyError(option, REP_ERR_INVALID, "malformed " + optionName(option) + " request");
            return null;
        }
        String resolved = resolve(name);
        if (resolved == null) {
            replyError(option, REP_ERR_UNKNOWN, "export '" + name + "' not found; exports: " + exports.keySet());
            return null;
        }
        ExportSource src = exports.get(resolved);
        int flags = transmissionFlags();
        reply(option, REP_INFO, ByteBuffer.allocate(12).putShort((short) INFO_EXPORT).putLong(src.size())
                .putShort((short) flags).array());
        if (infos.contains(INFO_NAME)) {
            byte[] n = resolved.getBytes(StandardCharsets.UTF_8);
            reply(option, REP_INFO, ByteBuffer.allocate(2 + n.length).putShort((short) INFO_NAME).put(n).array());
        }
        String desc = src.description();
        if (infos.contains(INFO_DESCRIPTION) && desc != null && !desc.isEmpty()) {
            byte[] n = desc.getBytes(StandardCharsets.UTF_8);
            reply(option, REP_INFO, ByteBuffer.allocate(2 + n.length).putShort((short) INFO_DESCRIPTION).put(n).array());
        }
        // Always sent: our constraints are trivial (min 1), so this never hurts a client.
        reply(option, REP_INFO, ByteBuffer.allocate(14).putShort((short) INFO_BLOCK_SIZE).putInt(MIN_BLOCK)
                .putInt(PREFERRED_BLOCK).putInt(MAX_BLOCK).array());
        reply(option, REP_ACK, new byte[0]);
        return option == OPT_GO ? session(resolved, src, flags) : null;
    }

    private ServerSession session(String name, ExportSource src, int flags) {
        boolean alloc = structured && allocationSelected && contextExport == src;
        return new ServerSession(name, src, structured, alloc ? ALLOCATION_CONTEXT_ID : -1, flags);
    }

    private void metaContext(int option, ByteBuffer d) throws IOException {
        String name;
        List<String> queries = new ArrayList<>();
        try {
            name = string(d, d.getInt());
            int n = d.getInt();
            for (int i = 0; i < n; i++) {
                queries.add(string(d, d.getInt()));
            }
            if (d.hasRemaining()) {
                throw new IllegalArgumentException("trailing bytes");
            }
        } catch (RuntimeException e) {
            replyError(option, REP_ERR_INVALID, "malformed " + optionName(option) + " request");
            return;
        }
        if (option == OPT_SET_META_CONTEXT && !structured) {
            replyError(option, REP_ERR_INVALID, "NBD_OPT_SET_META_CONTEXT requires NBD_OPT_STRUCTURED_REPLY first");
            return;
        }
        String resolved = resolve(name);
        if (resolved == null) {
            replyError(option, REP_ERR_UNKNOWN, "export '" + name + "' not found; exports: " + exports.keySet());
            return;
        }
        boolean match;
        if (option == OPT_LIST_META_CONTEXT) {
            match = queries.isEmpty() || queries.contains(BASE_ALLOCATION) || queries.contains("base:");
        } else {
            match = queries.contains(BASE_ALLOCATION);
            contextExport = exports.get(resolved);
            allocationSelected = match;
        }
        if (match) {
            byte[] ctx = BASE_ALLOCATION.getBytes(StandardCharsets.UTF_8);
            reply(option, REP_META_CONTEXT, ByteBuffer.allocate(4 + ctx.length).putInt(ALLOCATION_CONTEXT_ID).put(ctx).array());
        }
        reply(option, REP_ACK, new byte[0]);
    }

    private int transmissionFlags() {
        return TFLAG_HAS_FLAGS | TFLAG_READ_ONLY | TFLAG_CAN_MULTI_CONN | (structured ? TFLAG_SEND_DF : 0);
    }

    /** Maps "" to the only export when there is exactly one; null if unknown. */
    private String resolve(String name) {
        if (exports.containsKey(name)) {
            return name;
        }
        if (name.isEmpty() && exports.size() == 1) {
            return exports.keySet().iterator().next();
        }
        return null;
    }

    private static String string(ByteBuffer d, int len) {
        if (len < 0 || len > d.remaining() || len > 4096) {
            throw new IllegalArgumentException("bad string length " + len);
        }
        byte[] b = new byte[len];
        d.get(b);
        return new String(b, StandardCharsets.UTF_8);
    }

    private void replyError(int option, int type, String message) throws IOException {
        reply(option, type, message.getBytes(StandardCharsets.UTF_8));
    }

    private void reply(int option, int type, byte[] data) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(20 + data.length);
        b.putLong(OPTION_REPLY_MAGIC).putInt(option).putInt(type).putInt(data.length).put(data).flip();
        Sockets.writeFully(channel, b);
    }
}
