package io.ferry.nbd;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.channels.WritableByteChannel;

/** Opens blocking socket channels for {@link NbdAddress}es and writes buffers fully. */
final class Sockets {
    private Sockets() {}

    /** Opens an unconnected blocking channel of the right family (TCP_NODELAY set for TCP). */
    static SocketChannel open(NbdAddress address) throws IOException {
        return switch (address) {
            case NbdAddress.Unix u -> SocketChannel.open(StandardProtocolFamily.UNIX);
            case NbdAddress.Tcp t -> {
                SocketChannel ch = SocketChannel.open();
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                yield ch;
            }
        };
    }

    static void connect(SocketChannel ch, NbdAddress address) throws IOException {
        switch (address) {
            case NbdAddress.Unix u -> ch.connect(UnixDomainSocketAddress.of(u.socket()));
            case NbdAddress.Tcp t -> ch.connect(new InetSocketAddress(t.host(), t.port()));
        }
    }

    static void writeFully(WritableByteChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    static void writeFully(SocketChannel ch, ByteBuffer[] bufs) throws IOException {
        long remaining = 0;
        for (ByteBuffer b : bufs) {
            remaining += b.remaining();
        }
        while (remaining > 0) {
            remaining -= ch.write(bufs);
        }
    }
}
