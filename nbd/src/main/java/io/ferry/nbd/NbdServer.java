package io.ferry.nbd;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A read-only NBD server exporting {@link ExportSource}s over a Unix socket or TCP.
 *
 * <p>Speaks fixed newstyle negotiation (NBD_OPT_GO, INFO, EXPORT_NAME, LIST, ABORT,
 * STRUCTURED_REPLY, LIST_META_CONTEXT, SET_META_CONTEXT with {@code base:allocation}),
 * simple and structured replies, NBD_CMD_READ and NBD_CMD_BLOCK_STATUS; writes, trims
 * and write-zeroes get EPERM. It advertises NBD_FLAG_CAN_MULTI_CONN and block sizes
 * min 1 / preferred 64 KiB / max 32 MiB. Each connection has its own thread, and up to
 * 16 requests per connection are served concurrently on virtual threads. The default
 * export "" means the only export when there is exactly one.
 *
 * <p>A Unix socket file is created with the permissions a {@link UnixSocketAccess} gives
 * ({@link UnixSocketAccess#OWNER_ONLY} unless told otherwise: a recovery point is as
 * sensitive as the disk it holds); QEMU, which runs as {@code libvirt-qemu}, needs
 * {@link UnixSocketAccess#forUser}. {@link #close()} removes the socket file. A
 * stale socket file nobody listens on is replaced; a live one is an error.
 */
public final class NbdServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(NbdServer.class.getName());

    private final ServerSocketChannel listener;
    private final NbdAddress address;
    private final Map<String, ExportSource> exports;
    private final ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();
    private final BufferPool buffers = new BufferPool();
    private final Set<ServerConnection> connections = ConcurrentHashMap.newKeySet();
    private final Thread acceptor;
    private volatile boolean closed;

    private NbdServer(ServerSocketChannel listener, NbdAddress address, Map<String, ExportSource> exports) {
        this.listener = listener;
        this.address = address;
        this.exports = exports;
        this.acceptor = new Thread(this::acceptLoop, "nbd-server-accept " + address.toUri(""));
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /**
     * Binds and starts serving. For TCP, port 0 picks a free port ({@link #address()} tells which).
     *
     * @param exports export name to source; at least one
     */
    public static NbdServer start(NbdAddress bind, Map<String, ExportSource> exports) throws IOException {
        return start(bind, exports, UnixSocketAccess.OWNER_ONLY);
    }

    /** Starts serving; a Unix socket gets the permissions and owner {@code access} names. */
    public static NbdServer start(NbdAddress bind, Map<String, ExportSource> exports, UnixSocketAccess access)
            throws IOException {
        Objects.requireNonNull(bind, "bind");
        Objects.requireNonNull(access, "access");
        if (exports == null || exports.isEmpty()) {
            throw new IllegalArgumentException("NbdServer needs at least one export");
        }
        Map<String, ExportSource> copy = new LinkedHashMap<>(exports);
        copy.forEach((name, src) -> {
            Objects.requireNonNull(src, "export source for '" + name + "'");
            if (name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 4096) {
                throw new IllegalArgumentException("export name longer than 4096 bytes: " + name);
            }
        });
        return switch (bind) {
            case NbdAddress.Unix u -> {
                Path socket = u.socket().toAbsolutePath();
                removeStaleSocket(socket);
                ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
                try {
                    ch.bind(UnixDomainSocketAddress.of(socket), 128);
                } catch (IOException e) {
                    ch.close();
                    throw new NbdException("cannot listen on unix socket " + socket + ": " + e
                            + "; hint: check that the directory exists and is writable", e);
                }
                try {
                    Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString(access.mode()));
                    if (access.owner() != null) {
                        Files.setOwner(socket, socket.getFileSystem().getUserPrincipalLookupService()
                                .lookupPrincipalByName(access.owner()));
                    }
                } catch (IOException e) {
                    ch.close();
                    Files.deleteIfExists(socket);
                    throw new NbdException("cannot give unix socket " + socket + " the access " + access + ": " + e
                            + "; hint: the owner must be an existing user, and changing it needs root", e);
                }
                yield new NbdServer(ch, new NbdAddress.Unix(socket), Map.copyOf(copy));
            }
            case NbdAddress.Tcp t -> {
                ServerSocketChannel ch = ServerSocketChannel.open();
                try {
                    ch.bind(new InetSocketAddress(t.host(), t.port()), 128);
                } catch (IOException e) {
                    ch.close();
                    throw new NbdException("cannot listen on " + t.host() + ":" + t.port() + ": " + e
                            + "; hint: is the port in use? pass port 0 to pick a free one", e);
                }
                int port = ((InetSocketAddress) ch.getLocalAddress()).getPort();
                yield new NbdServer(ch, new NbdAddress.Tcp(t.host(), port), Map.copyOf(copy));
            }
        };
    }

    private static void removeStaleSocket(Path socket) throws IOException {
        if (!Files.exists(socket, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (Files.isRegularFile(socket) || Files.isDirectory(socket)) {
            throw new NbdException("cannot listen on " + socket + ": a file or directory of that name exists"
                    + "; hint: choose another socket path");
        }
        try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            probe.connect(UnixDomainSocketAddress.of(socket));
            throw new NbdException("cannot listen on " + socket + ": another server is listening there"
                    + "; hint: stop it or choose another socket path");
        } catch (NbdException e) {
            throw e;
        } catch (IOException refused) {
            Files.deleteIfExists(socket); // stale socket left by a crashed server
        }
    }

    /** Where the server listens (with the real port for TCP port 0). */
    public NbdAddress address() {
        return address;
    }

    /** Export names served. */
    public Set<String> exportNames() {
        return exports.keySet();
    }

    /** Connections currently open. */
    public int connectionCount() {
        return connections.size();
    }

    private void acceptLoop() {
        while (!closed) {
            SocketChannel ch;
            try {
                ch = listener.accept();
            } catch (IOException e) {
                if (!closed) {
                    LOG.log(Level.WARNING, "nbd server on " + address.toUri("") + " stopped accepting: " + e);
                }
                return;
            }
            try {
                if (address instanceof NbdAddress.Tcp) {
                    ch.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true);
                }
                String peer = String.valueOf(ch.getRemoteAddress());
                ServerConnection c = new ServerConnection(ch, exports, workers, buffers, peer);
                connections.add(c);
                Thread.ofVirtual().name("nbd-server-conn " + peer).start(() -> {
                    try {
                        c.run();
                    } finally {
                        connections.remove(c);
                    }
                });
                if (closed) {
                    c.close();
                }
            } catch (IOException e) {
                try {
                    ch.close();
                } catch (IOException ignored) {
                    // dropping
                }
            }
        }
    }

    /** Stops accepting, disconnects all clients and removes the Unix socket file. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            listener.close();
        } catch (IOException ignored) {
            // closing
        }
        for (ServerConnection c : connections) {
            c.close();
        }
        try {
            acceptor.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        workers.shutdown();
        try {
            workers.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (address instanceof NbdAddress.Unix u) {
            try {
                Files.deleteIfExists(u.socket());
            } catch (IOException e) {
                LOG.log(Level.WARNING, "cannot remove socket " + u.socket() + ": " + e);
            }
        }
    }
}
