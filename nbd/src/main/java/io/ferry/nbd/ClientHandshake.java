package io.ferry.nbd;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.ferry.nbd.protocol.NbdConstants.*;

/**
 * Client side of the fixed newstyle handshake: NBDMAGIC/IHAVEOPT, client flags,
 * NBD_OPT_STRUCTURED_REPLY, NBD_OPT_SET_META_CONTEXT, then NBD_OPT_GO (falling back to
 * NBD_OPT_EXPORT_NAME when the server does not know GO). Option errors become
 * {@link NbdException}s that say what to do.
 */
final class ClientHandshake {
    /** Largest option reply we accept; real replies are tiny. */
    private static final int MAX_OPTION_REPLY = 1 << 20;

    private final SocketChannel channel;
    private final WireReader in;
    private final String peer;
    private final String exportName;
    private boolean noZeroes;

    ClientHandshake(SocketChannel channel, WireReader in, NbdAddress address, String exportName) {
        this.channel = channel;
        this.in = in;
        this.exportName = exportName;
        this.peer = address.toUri(exportName);
    }

    NegotiatedExport negotiate(List<String> wantedContexts, boolean wantStructured) throws IOException {
        try {
            return doNegotiate(wantedContexts, wantStructured);
        } catch (EOFException e) {
            throw new NbdException(peer + ": server closed the connection during the handshake"
                    + "; hint: the server may reject this client (TLS required? connection limit? wrong export?)"
                    + " - check the server's log", e);
        }
    }

    private NegotiatedExport doNegotiate(List<String> wantedContexts, boolean wantStructured) throws IOException {
        long magic = in.i64();
        if (magic != NBDMAGIC) {
            throw new NbdException(peer + ": not an NBD server: expected NBDMAGIC (0x4e42444d41474943) but got 0x"
                    + Long.toHexString(magic) + "; hint: check that the socket or port belongs to an NBD server");
        }
        long second = in.i64();
        if (second == CLISERV_MAGIC) {
            throw new NbdException(peer + ": server uses oldstyle negotiation, which is not supported"
                    + "; hint: use a newstyle server (qemu-nbd, nbdkit, nbd-server >= 3.10)");
        }
        if (second != IHAVEOPT) {
            throw new NbdException(peer + ": bad handshake magic: expected IHAVEOPT (0x49484156454f5054) but got 0x"
                    + Long.toHexString(second) + "; hint: the peer is not a newstyle NBD server");
        }
        int handshakeFlags = in.u16();
        if ((handshakeFlags & FLAG_FIXED_NEWSTYLE) == 0) {
            throw new NbdException(peer + ": server does not support fixed newstyle negotiation"
                    + "; hint: upgrade the NBD server");
        }
        noZeroes = (handshakeFlags & FLAG_NO_ZEROES) != 0;
        ByteBuffer cf = ByteBuffer.allocate(4);
        cf.putInt(FLAG_C_FIXED_NEWSTYLE | (noZeroes ? FLAG_C_NO_ZEROES : 0)).flip();
        Sockets.writeFully(channel, cf);

        boolean structured = wantStructured && negotiateStructuredReplies();
        Map<String, Integer> contexts = new LinkedHashMap<>();
        if (!wantedContexts.isEmpty()) {
            if (!structured) {
                throw new NbdException(peer + ": server does not support structured replies, so meta contexts "
                        + wantedContexts + " cannot be used; hint: use a newer server or connect without meta contexts");
            }
            setMetaContexts(wantedContexts, contexts);
        }
        return go(structured, contexts);
    }

    private boolean negotiateStructuredReplies() throws IOException {
        sendOption(OPT_STRUCTURED_REPLY, new byte[0]);
        OptionReply r = readReply(OPT_STRUCTURED_REPLY);
        if (r.type == REP_ACK) {
            return true;
        }
        if (isError(r.type)) {
            return false; // server speaks simple replies only; that still works
        }
        throw violation("unexpected " + replyName(r.type) + " to NBD_OPT_STRUCTURED_REPLY");
    }

    private void setMetaContexts(List<String> wanted, Map<String, Integer> out) throws IOException {
        byte[] name = exportName.getBytes(StandardCharsets.UTF_8);
        int len = 4 + name.length + 4;
        List<byte[]> queries = wanted.stream().map(q -> q.getBytes(StandardCharsets.UTF_8)).toList();
        for (byte[] q : queries) {
            len += 4 + q.length;
        }
        ByteBuffer b = ByteBuffer.allocate(len);
        b.putInt(name.length).put(name).putInt(queries.size());
        for (byte[] q : queries) {
            b.putInt(q.length).put(q);
        }
        sendOption(OPT_SET_META_CONTEXT, b.array());
        while (true) {
            OptionReply r = readReply(OPT_SET_META_CONTEXT);
            if (r.type == REP_ACK) {
                return;
            }
            if (r.type == REP_META_CONTEXT) {
                if (r.data.length < 4) {
                    throw violation("NBD_REP_META_CONTEXT of " + r.data.length + " bytes is too short");
                }
                ByteBuffer d = ByteBuffer.wrap(r.data);
                int id = d.getInt();
                String ctx = new String(r.data, 4, r.data.length - 4, StandardCharsets.UTF_8);
                out.put(ctx, id);
            } else if (r.type == REP_ERR_UNKNOWN) {
                throw exportNotFound(r);
            } else if (isError(r.type)) {
                // Server cannot do meta contexts at all: carry on, blockStatus will explain.
                out.clear();
                return;
            } else {
                throw violation("unexpected " + replyName(r.type) + " to NBD_OPT_SET_META_CONTEXT");
            }
        }
    }

    private NegotiatedExport go(boolean structured, Map<String, Integer> contexts) throws IOException {
        byte[] name = exportName.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(4 + name.length + 2 + 2);
        b.putInt(name.length).put(name).putShort((short) 1).putShort((short) INFO_BLOCK_SIZE);
        sendOption(OPT_GO, b.array());
        long size = -1;
        int flags = 0;
        int min = 1;
        int preferred = 4096;
        int max = DEFAULT_MAX_BLOCK_SIZE;
        while (true) {
            OptionReply r = readReply(OPT_GO);
            if (r.type == REP_ACK) {
                if (size < 0) {
                    throw violation("server acknowledged NBD_OPT_GO without sending NBD_INFO_EXPORT");
                }
                return new NegotiatedExport(size, flags, structured, Collections.unmodifiableMap(contexts),
                        min, preferred, max);
            }
            if (r.type == REP_INFO) {
                if (r.data.length < 2) {
                    throw violation("NBD_REP_INFO of " + r.data.length + " bytes is too short");
                }
                ByteBuffer d = ByteBuffer.wrap(r.data);
                int infoType = d.getShort() & 0xffff;
                if (infoType == INFO_EXPORT) {
                    if (r.data.length != 12) {
                        throw violation("NBD_INFO_EXPORT has " + r.data.length + " bytes, expected 12");
                    }
                    size = d.getLong();
                    flags = d.getShort() & 0xffff;
                    if (size < 0) {
                        throw violation("export size " + Long.toUnsignedString(size) + " is too large");
                    }
                } else if (infoType == INFO_BLOCK_SIZE) {
                    if (r.data.length != 14) {
                        throw violation("NBD_INFO_BLOCK_SIZE has " + r.data.length + " bytes, expected 14");
                    }
                    min = d.getInt();
                    preferred = d.getInt();
                    long maxU = d.getInt() & 0xffffffffL;
                    max = (int) Math.min(maxU, 1L << 30);
                    if (min <= 0 || preferred <= 0 || max <= 0) {
                        throw violation("NBD_INFO_BLOCK_SIZE has a zero or huge size: min=" + min
                                + " preferred=" + preferred + " max=" + maxU);
                    }
                }
                continue; // other info types are ignorable
            }
            if (r.type == REP_ERR_UNSUP) {
                return exportName(structured, contexts);
            }
            if (r.type == REP_ERR_UNKNOWN) {
                throw exportNotFound(r);
            }
            if (isError(r.type)) {
                throw optionError(OPT_GO, r);
            }
            throw violation("unexpected " + replyName(r.type) + " to NBD_OPT_GO");
        }
    }

    /** Fallback for servers without NBD_OPT_GO. */
    private NegotiatedExport exportName(boolean structured, Map<String, Integer> contexts) throws IOException {
        sendOption(OPT_EXPORT_NAME, exportName.getBytes(StandardCharsets.UTF_8));
        long size;
        int flags;
        try {
            size = in.i64();
            flags = in.u16();
            if (!noZeroes) {
                in.skip(124);
            }
        } catch (EOFException e) {
            throw new NbdException(peer + ": export '" + exportName + "' not found: the server (which does not"
                    + " support NBD_OPT_GO) closed the connection after NBD_OPT_EXPORT_NAME; hint: list exports with"
                    + " nbdinfo --list " + peer, e);
        }
        return new NegotiatedExport(size, flags, structured, Collections.unmodifiableMap(contexts),
                1, 4096, DEFAULT_MAX_BLOCK_SIZE);
    }

    private void sendOption(int option, byte[] data) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(16 + data.length);
        b.putLong(IHAVEOPT).putInt(option).putInt(data.length).put(data).flip();
        Sockets.writeFully(channel, b);
    }

    private record OptionReply(int type, byte[] data) {}

    private OptionReply readReply(int option) throws IOException {
        long magic = in.i64();
        if (magic != OPTION_REPLY_MAGIC) {
            throw violation("bad option reply magic 0x" + Long.toHexString(magic) + " (expected 0x3e889045565a9) in reply to "
                    + optionName(option));
        }
        int echoed = in.i32();
        int type = in.i32();
        long len = in.u32();
        if (echoed != option) {
            throw violation("reply to " + optionName(option) + " names " + optionName(echoed));
        }
        if (len > MAX_OPTION_REPLY) {
            throw violation(replyName(type) + " to " + optionName(option) + " claims " + len + " bytes");
        }
        return new OptionReply(type, in.bytes((int) len));
    }

    private static boolean isError(int type) {
        return (type & REP_FLAG_ERROR) != 0;
    }

    private NbdException exportNotFound(OptionReply r) {
        return new NbdException("export '" + exportName + "' not found on " + peer + serverText(r)
                + "; hint: list exports with nbdinfo --list '" + peer + "'");
    }

    private NbdException optionError(int option, OptionReply r) {
        String hint = switch (r.type) {
            case REP_ERR_TLS_REQD -> "the server requires TLS, which this client does not support yet; run the server without TLS on a private socket";
            case REP_ERR_POLICY -> "the server's policy refuses this client or export; check the server's access settings";
            case REP_ERR_SHUTDOWN -> "the server is shutting down; retry once it is back";
            case REP_ERR_BLOCK_SIZE_REQD -> "the server insists on block size negotiation";
            case REP_ERR_PLATFORM -> "the server cannot do this on its platform";
            default -> "check the server's log";
        };
        return new NbdException(peer + ": server refused " + optionName(option) + " with " + replyName(r.type)
                + serverText(r) + "; hint: " + hint);
    }

    private static String serverText(OptionReply r) {
        if (r.data.length == 0) {
            return "";
        }
        return " (server says: " + new String(r.data, StandardCharsets.UTF_8).strip() + ")";
    }

    private NbdException violation(String what) {
        return new NbdException(peer + ": protocol violation during handshake: " + what
                + "; hint: the server is not speaking NBD correctly (or this is not an NBD server)");
    }
}
