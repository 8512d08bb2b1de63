package io.ferry.nbd.protocol;

/**
 * Numeric constants of the NBD protocol, as defined by {@code doc/proto.md} of the
 * NetworkBlockDevice/nbd project, plus helpers that turn them into readable names
 * for error messages. All values are sent in network byte order.
 */
public final class NbdConstants {
    private NbdConstants() {}

    // --- handshake -------------------------------------------------------------------
    /** 'NBDMAGIC', first 8 bytes the server sends. */
    public static final long NBDMAGIC = 0x4e42444d41474943L;
    /** 'IHAVEOPT', newstyle magic; also prefixes every client option. */
    public static final long IHAVEOPT = 0x49484156454F5054L;
    /** Oldstyle negotiation magic (unsupported). */
    public static final long CLISERV_MAGIC = 0x00420281861253L;
    /** Magic that starts every option reply. */
    public static final long OPTION_REPLY_MAGIC = 0x3e889045565a9L;

    /** Handshake flag: server supports fixed newstyle. */
    public static final int FLAG_FIXED_NEWSTYLE = 1;
    /** Handshake flag: server can omit the 124 zero bytes after NBD_OPT_EXPORT_NAME. */
    public static final int FLAG_NO_ZEROES = 1 << 1;
    /** Client flag: client speaks fixed newstyle. */
    public static final int FLAG_C_FIXED_NEWSTYLE = 1;
    /** Client flag: client wants no zero padding. */
    public static final int FLAG_C_NO_ZEROES = 1 << 1;

    // --- transmission flags ----------------------------------------------------------
    public static final int TFLAG_HAS_FLAGS = 1;
    public static final int TFLAG_READ_ONLY = 1 << 1;
    public static final int TFLAG_SEND_FLUSH = 1 << 2;
    public static final int TFLAG_SEND_FUA = 1 << 3;
    public static final int TFLAG_ROTATIONAL = 1 << 4;
    public static final int TFLAG_SEND_TRIM = 1 << 5;
    public static final int TFLAG_SEND_WRITE_ZEROES = 1 << 6;
    public static final int TFLAG_SEND_DF = 1 << 7;
    public static final int TFLAG_CAN_MULTI_CONN = 1 << 8;
    public static final int TFLAG_SEND_RESIZE = 1 << 9;
    public static final int TFLAG_SEND_CACHE = 1 << 10;
    public static final int TFLAG_SEND_FAST_ZERO = 1 << 11;

    // --- options ---------------------------------------------------------------------
    public static final int OPT_EXPORT_NAME = 1;
    public static final int OPT_ABORT = 2;
    public static final int OPT_LIST = 3;
    public static final int OPT_PEEK_EXPORT = 4;
    public static final int OPT_STARTTLS = 5;
    public static final int OPT_INFO = 6;
    public static final int OPT_GO = 7;
    public static final int OPT_STRUCTURED_REPLY = 8;
    public static final int OPT_LIST_META_CONTEXT = 9;
    public static final int OPT_SET_META_CONTEXT = 10;
    public static final int OPT_EXTENDED_HEADERS = 11;

    // --- option reply types ----------------------------------------------------------
    public static final int REP_ACK = 1;
    public static final int REP_SERVER = 2;
    public static final int REP_INFO = 3;
    public static final int REP_META_CONTEXT = 4;
    public static final int REP_FLAG_ERROR = 1 << 31;
    public static final int REP_ERR_UNSUP = REP_FLAG_ERROR | 1;
    public static final int REP_ERR_POLICY = REP_FLAG_ERROR | 2;
    public static final int REP_ERR_INVALID = REP_FLAG_ERROR | 3;
    public static final int REP_ERR_PLATFORM = REP_FLAG_ERROR | 4;
    public static final int REP_ERR_TLS_REQD = REP_FLAG_ERROR | 5;
    public static final int REP_ERR_UNKNOWN = REP_FLAG_ERROR | 6;
    public static final int REP_ERR_SHUTDOWN = REP_FLAG_ERROR | 7;
    public static final int REP_ERR_BLOCK_SIZE_REQD = REP_FLAG_ERROR | 8;
    public static final int REP_ERR_TOO_BIG = REP_FLAG_ERROR | 9;
    public static final int REP_ERR_EXT_HEADER_REQD = REP_FLAG_ERROR | 10;

    // --- NBD_INFO types (inside NBD_REP_INFO) ----------------------------------------
    public static final int INFO_EXPORT = 0;
    public static final int INFO_NAME = 1;
    public static final int INFO_DESCRIPTION = 2;
    public static final int INFO_BLOCK_SIZE = 3;

    // --- requests ----------------------------------------------------------------------
    public static final int REQUEST_MAGIC = 0x25609513;
    /** Size of a request header (compact headers). */
    public static final int REQUEST_HEADER_SIZE = 28;

    public static final int CMD_READ = 0;
    public static final int CMD_WRITE = 1;
    public static final int CMD_DISC = 2;
    public static final int CMD_FLUSH = 3;
    public static final int CMD_TRIM = 4;
    public static final int CMD_CACHE = 5;
    public static final int CMD_WRITE_ZEROES = 6;
    public static final int CMD_BLOCK_STATUS = 7;
    public static final int CMD_RESIZE = 8;

    public static final int CMD_FLAG_FUA = 1;
    public static final int CMD_FLAG_NO_HOLE = 1 << 1;
    public static final int CMD_FLAG_DF = 1 << 2;
    public static final int CMD_FLAG_REQ_ONE = 1 << 3;
    public static final int CMD_FLAG_FAST_ZERO = 1 << 4;

    // --- replies -----------------------------------------------------------------------
    public static final int SIMPLE_REPLY_MAGIC = 0x67446698;
    public static final int STRUCTURED_REPLY_MAGIC = 0x668e33ef;
    /** Size of a simple reply header. */
    public static final int SIMPLE_REPLY_HEADER_SIZE = 16;
    /** Size of a structured reply chunk header. */
    public static final int STRUCTURED_REPLY_HEADER_SIZE = 20;

    public static final int REPLY_FLAG_DONE = 1;

    public static final int REPLY_TYPE_NONE = 0;
    public static final int REPLY_TYPE_OFFSET_DATA = 1;
    public static final int REPLY_TYPE_OFFSET_HOLE = 2;
    public static final int REPLY_TYPE_BLOCK_STATUS = 5;
    public static final int REPLY_TYPE_ERROR = (1 << 15) | 1;
    public static final int REPLY_TYPE_ERROR_OFFSET = (1 << 15) | 2;

    // --- meta contexts -------------------------------------------------------------------
    /** The base allocation context every server with block status offers. */
    public static final String BASE_ALLOCATION = "base:allocation";
    /** base:allocation flag: the extent is a hole (unallocated). */
    public static final int STATE_HOLE = 1;
    /** base:allocation flag: the extent reads as zeroes. */
    public static final int STATE_ZERO = 1 << 1;
    /** qemu:dirty-bitmap:NAME flag: the extent is dirty. */
    public static final int STATE_DIRTY = 1;
    /** Prefix of QEMU's dirty bitmap contexts ({@code qemu:dirty-bitmap:NAME}). */
    public static final String QEMU_DIRTY_BITMAP_PREFIX = "qemu:dirty-bitmap:";

    /** Default maximum payload when the server sends no NBD_INFO_BLOCK_SIZE (32 MiB). */
    public static final int DEFAULT_MAX_BLOCK_SIZE = 32 << 20;

    /** Readable name of an option, e.g. {@code NBD_OPT_GO}. */
    public static String optionName(int option) {
        return switch (option) {
            case OPT_EXPORT_NAME -> "NBD_OPT_EXPORT_NAME";
            case OPT_ABORT -> "NBD_OPT_ABORT";
            case OPT_LIST -> "NBD_OPT_LIST";
            case OPT_PEEK_EXPORT -> "NBD_OPT_PEEK_EXPORT";
            case OPT_STARTTLS -> "NBD_OPT_STARTTLS";
            case OPT_INFO -> "NBD_OPT_INFO";
            case OPT_GO -> "NBD_OPT_GO";
            case OPT_STRUCTURED_REPLY -> "NBD_OPT_STRUCTURED_REPLY";
            case OPT_LIST_META_CONTEXT -> "NBD_OPT_LIST_META_CONTEXT";
            case OPT_SET_META_CONTEXT -> "NBD_OPT_SET_META_CONTEXT";
            case OPT_EXTENDED_HEADERS -> "NBD_OPT_EXTENDED_HEADERS";
            default -> "option " + option;
        };
    }

    /** Readable name of an option reply type, e.g. {@code NBD_REP_ERR_UNKNOWN}. */
    public static String replyName(int reply) {
        return switch (reply) {
            case REP_ACK -> "NBD_REP_ACK";
            case REP_SERVER -> "NBD_REP_SERVER";
            case REP_INFO -> "NBD_REP_INFO";
            case REP_META_CONTEXT -> "NBD_REP_META_CONTEXT";
            case REP_ERR_UNSUP -> "NBD_REP_ERR_UNSUP";
            case REP_ERR_POLICY -> "NBD_REP_ERR_POLICY";
            case REP_ERR_INVALID -> "NBD_REP_ERR_INVALID";
            case REP_ERR_PLATFORM -> "NBD_REP_ERR_PLATFORM";
            case REP_ERR_TLS_REQD -> "NBD_REP_ERR_TLS_REQD";
            case REP_ERR_UNKNOWN -> "NBD_REP_ERR_UNKNOWN";
            case REP_ERR_SHUTDOWN -> "NBD_REP_ERR_SHUTDOWN";
            case REP_ERR_BLOCK_SIZE_REQD -> "NBD_REP_ERR_BLOCK_SIZE_REQD";
            case REP_ERR_TOO_BIG -> "NBD_REP_ERR_TOO_BIG";
            case REP_ERR_EXT_HEADER_REQD -> "NBD_REP_ERR_EXT_HEADER_REQD";
            default -> "reply type 0x" + Integer.toHexString(reply);
        };
    }

    /** Readable name of a command, e.g. {@code NBD_CMD_READ}. */
    public static String commandName(int command) {
        return switch (command) {
            case CMD_READ -> "NBD_CMD_READ";
            case CMD_WRITE -> "NBD_CMD_WRITE";
            case CMD_DISC -> "NBD_CMD_DISC";
            case CMD_FLUSH -> "NBD_CMD_FLUSH";
            case CMD_TRIM -> "NBD_CMD_TRIM";
            case CMD_CACHE -> "NBD_CMD_CACHE";
            case CMD_WRITE_ZEROES -> "NBD_CMD_WRITE_ZEROES";
            case CMD_BLOCK_STATUS -> "NBD_CMD_BLOCK_STATUS";
            case CMD_RESIZE -> "NBD_CMD_RESIZE";
            default -> "command " + command;
        };
    }

    /** Readable name of a structured reply chunk type, e.g. {@code NBD_REPLY_TYPE_OFFSET_DATA}. */
    public static String replyTypeName(int type) {
        return switch (type) {
            case REPLY_TYPE_NONE -> "NBD_REPLY_TYPE_NONE";
            case REPLY_TYPE_OFFSET_DATA -> "NBD_REPLY_TYPE_OFFSET_DATA";
            case REPLY_TYPE_OFFSET_HOLE -> "NBD_REPLY_TYPE_OFFSET_HOLE";
            case REPLY_TYPE_BLOCK_STATUS -> "NBD_REPLY_TYPE_BLOCK_STATUS";
            case REPLY_TYPE_ERROR -> "NBD_REPLY_TYPE_ERROR";
            case REPLY_TYPE_ERROR_OFFSET -> "NBD_REPLY_TYPE_ERROR_OFFSET";
            default -> "chunk type " + type;
        };
    }
}
