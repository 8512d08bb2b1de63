package io.ferry.nbd;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static io.ferry.nbd.protocol.NbdConstants.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * A scripted, misbehaving NBD server on a raw socket: every misbehaviour must end in a
 * clear NbdException within seconds - never a hang, never wrong data.
 */
class HostileServerTest {
    private static final long SIZE = 1 << 20;
    private static final Duration LIMIT = Duration.ofSeconds(8);

    @TempDir
    Path dir;

    private ServerSocketChannel listener;
    private Thread thread;

    interface Script {
        void run(DataInputStream in, DataOutputStream out) throws IOException, InterruptedException;
    }

    private NbdAddress serve(Script script) throws IOException {
        Path sock = dir.resolve("hostile.sock");
        listener = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        listener.bind(UnixDomainSocketAddress.of(sock));
        thread = Thread.ofPlatform().daemon().start(() -> {
            try (SocketChannel ch = listener.accept()) {
                DataInputStream in = new DataInputStream(Channels.newInputStream(ch));
                DataOutputStream out = new DataOutputStream(Channels.newOutputStream(ch));
                script.run(in, out);
                out.flush();
            } catch (IOException | InterruptedException e) {
                // the client hung up: fine
            }
        });
        return new NbdAddress.Unix(sock);
    }

    @AfterEach
    void stop() throws Exception {
        if (listener != null) {
            listener.close();
        }
        if (thread != null) {
            thread.interrupt();
            thread.join(2000);
        }
    }

    private static NbdClient.Options fast() {
        return NbdClient.Options.defaults().withTimeout(Duration.ofSeconds(1));
    }

    /** A well-behaved fixed newstyle handshake up to and including NBD_OPT_GO. */
    static void handshake(DataInputStream in, DataOutputStream out, boolean structured) throws IOException {
        out.writeLong(NBDMAGIC);
        out.writeLong(IHAVEOPT);
        out.writeShort(FLAG_FIXED_NEWSTYLE | FLAG_NO_ZEROES);
        out.flush();
        in.readInt();
        while (true) {
            assertThat(in.readLong()).isEqualTo(IHAVEOPT);
            int opt = in.readInt();
            in.skipNBytes(in.readInt());
            switch (opt) {
                case OPT_STRUCTURED_REPLY -> optReply(out, opt, structured ? REP_ACK : REP_ERR_UNSUP, new byte[0]);
                case OPT_SET_META_CONTEXT -> optReply(out, opt, REP_ACK, new byte[0]);
                case OPT_GO -> {
                    byte[] info = java.nio.ByteBuffer.allocate(12).putShort((short) INFO_EXPORT).putLong(SIZE)
                            .putShort((short) (TFLAG_HAS_FLAGS | TFLAG_READ_ONLY)).array();
                    optReply(out, opt, REP_INFO, info);
                    optReply(out, opt, REP_ACK, new byte[0]);
                    out.flush();
                    return;
                }
                default -> optReply(out, opt, REP_ERR_UNSUP, new byte[0]);
            }
            out.flush();
        }
    }

    static void optReply(DataOutputStream out, int opt, int type, byte[] data) throws IOException {
        out.writeLong(OPTION_REPLY_MAGIC);
        out.writeInt(opt);
        out.writeInt(type);
        out.writeInt(data.length);
        out.write(data);
    }

    /** A request header as read by the server: {type, handle, offset, length}. */
    record Req(int type, long handle, long offset, long length) {}

    static Req request(DataInputStream in) throws IOException {
        assertThat(in.readInt()).isEqualTo(REQUEST_MAGIC);
        in.readShort();
        int type = in.readShort();
        return new Req(type, in.readLong(), in.readLong(), in.readInt() & 0xffffffffL);
    }

    static void chunkHeader(DataOutputStream out, int flags, int type, long handle, int length) throws IOException {
        out.writeInt(STRUCTURED_REPLY_MAGIC);
        out.writeShort(flags);
        out.writeShort(type);
        out.writeLong(handle);
        out.writeInt(length);
    }

    private static void expectConnectFailure(NbdAddress a, String message) {
        assertTimeoutPreemptively(LIMIT, () ->
                assertThatThrownBy(() -> NbdClient.connect(a, "", List.of(), fast()))
                        .isInstanceOf(NbdException.class)
                        .hasMessageContaining(message)
                        .hasMessageContaining("hint"));
    }

    private static void expectReadFailure(NbdAddress a, boolean structured, String message) {
        assertTimeoutPreemptively(LIMIT, () -> {
            try (NbdClient c = NbdClient.connect(a, "", List.of(), fast().withStructuredReplies(structured))) {
                CompletableFuture<byte[]> f = c.readAsync(4096, 4096);
                assertThatThrownBy(() -> f.get(6, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                        .cause().isInstanceOf(NbdException.class)
                        .hasMessageContaining(message)
                        .hasMessageContaining("nbd+unix:///?socket=")
                        .hasMessageContaining("hint");
                assertThatThrownBy(() -> c.read(0, 512)).isInstanceOf(NbdException.class); // stays dead
            }
        });
    }

    @Test
    void badMagic() throws Exception {
        NbdAddress a = serve((in, out) -> out.writeBytes("HTTP/1.1 400 Bad Request\r\n\r\n"));
        expectConnectFailure(a, "not an NBD server: expected NBDMAGIC");
    }

    @Test
    void closesMidHandshake() throws Exception {
        NbdAddress a = serve((in, out) -> out.writeLong(NBDMAGIC));
        expectConnectFailure(a, "server closed the connection during the handshake");
    }

    @Test
    void stallsMidHandshake() throws Exception {
        NbdAddress a = serve((in, out) -> {
            out.writeLong(NBDMAGIC);
            out.flush();
            Thread.sleep(30_000);
        });
        expectConnectFailure(a, "timed out after 1000 ms");
    }

    @Test
    void replyWithUnknownHandle() throws Exception {
        NbdAddress a = serve((in, out) -> {
            handshake(in, out, true);
            Req r = request(in);
            chunkHeader(out, REPLY_FLAG_DONE, REPLY_TYPE_NONE, r.handle() + 1000, 0);
            out.flush();
            in.read(); // wait for the client to hang up
        });
        expectReadFailure(a, true, "unknown handle");
    }

    @Test
    void structuredChunkOutsideTheRequestedRange() throws Exception {
        NbdAddress a = serve((in, out) -> {
            handshake(in, out, true);
            Req r = request(in);
            chunkHeader(out, REPLY_FLAG_DONE, REPLY_TYPE_OFFSET_DATA, r.handle(), 8 + 100);
            out.writeLong(r.offset() + r.length() - 10);
            out.write(new byte[100]);
            out.flush();
            in.read();
        });
        expectReadFailure(a, true, "lies outside the requested range");
    }

    @Test
    void structuredReplyLongerThanAsked() throws Exception {
        NbdAddress a = serve((in, out) -> {
            handshake(in, out, true);
            Req r = request(in);
            chunkHeader(out, REPLY_FLAG_DONE, REPLY_TYPE_OFFSET_DATA, r.handle(), (int) (8 + r.length() + 100));
            out.writeLong(r.offset());
            out.write(new byte[(int) r.length() + 100]);
            out.flush();
            in.read();
        });
        expectReadFailure(a, true, "reply longer than requested");
    }

    @Test
    void structuredReplyThatLeavesAGap() throws Exception {
        NbdAddress a = serve((in, out) -> {
            handshake(in, out, true);
            Req r = request(in);
            chunkHeader(out, 0, REPLY_TYPE_OFFSET_DATA, r.handle(), 8 + 100);
            out.writeLong(r.offset());
            out.write(new byte[100]);
            chunkHeader(out, REPLY_FLAG_DONE, REPLY_TYPE_NONE, r.handle(), 0);
            out.flush();
            in.read();
        });
        expectReadFailure(a, true, "after describing only 100 bytes");
    }

    @Test
    void simpleReplyLongerThanAskedDesynchronisesAndIsCaught() throws Exception {
        NbdAddress a = serve((in, out) -> {
            handshake(in, out, false);
            Req r = request(in);
            out.writeInt(SIMPLE_REPLY_MAGIC);
            out.writeInt(0);
            out.writeLong(r.handle());
            out.write(new byte[(int) r.length() + 100]); // 100 bytes too many
            out.flush();
            in.read();
        });
        assertTimeoutPreemptively(LIMIT, () -> {
            try (NbdClient c = NbdClient.connect(a, "", List.of(), fast().withStructuredReplies(false))) {
                assertThat(c.read(0, 512)).containsOnly(0); // the bytes asked for are right
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
                NbdException failure = null;
                while (failure == null && System.nanoTime() < deadline) {
                    try {
                        c.read(0, 512);
                        Thread.sleep(10);
                    } catch (NbdException e) {
                        failure = e;
                    }
                }
                assertThat(failure).isNotNull();
                assertThat(failure.getMessage()).contains("bad reply magic").contains("out of sync");
            }
        });
    }

    @Test
    void neverReplies() throws Exception {
        NbdAddress a = serve((in, out) -> {
            handshake(in, out, true);
            request(in);
            Thread.sleep(30_000);
        });
        expectReadFailure(a, true, "no reply from the server for 1000 ms");
    }

    @Test
    void closesWithRequestsInFlight() throws Exception {
        NbdAddress a = serve((in, out) -> {
            handshake(in, out, true);
            request(in);
        });
        expectReadFailure(a, true, "server closed the connection with 1 request(s) in flight");
    }

    @Test
    void truncatedChunk() throws Exception {
        NbdAddress a = serve((in, out) -> {
            handshake(in, out, true);
            Req r = request(in);
            chunkHeader(out, REPLY_FLAG_DONE, REPLY_TYPE_OFFSET_DATA, r.handle(), (int) (8 + r.length()));
            out.writeLong(r.offset());
            out.write(new byte[100]); // then hang up
        });
        expectReadFailure(a, true, "server closed the connection");
    }

    @Test
    void serverErrorChunkCarriesErrnoAndMessage() throws Exception {
        NbdAddress a = serve((in, out) -> {
            handshake(in, out, true);
            Req r = request(in);
            byte[] msg = "disk on fire".getBytes();
            chunkHeader(out, REPLY_FLAG_DONE, REPLY_TYPE_ERROR_OFFSET, r.handle(), 6 + msg.length + 8);
            out.writeInt(io.ferry.nbd.protocol.Errno.EIO);
            out.writeShort(msg.length);
            out.write(msg);
            out.writeLong(r.offset() + 7);
            out.flush();
            in.read();
        });
        assertTimeoutPreemptively(LIMIT, () -> {
            try (NbdClient c = NbdClient.connect(a, "", List.of(), fast())) {
                assertThatThrownBy(() -> c.read(4096, 4096)).isInstanceOf(NbdException.class)
                        .hasMessageContaining("NBD_CMD_READ offset=4096 length=4096 failed on the server: EIO")
                        .hasMessageContaining("disk on fire at offset 4103");
            }
        });
    }
}
