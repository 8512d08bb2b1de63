package io.ferry.datapath.restore;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** A raw image file (or block device) written with positional writes; safe for concurrent use. */
public final class RawFileTarget implements DiskTarget {
    private static final byte[] ZEROS = new byte[1 << 20];

    private final Path path;
    private final FileChannel channel;
    private final long size;

    private RawFileTarget(Path path, FileChannel channel, long size) {
        this.path = path;
        this.channel = channel;
        this.size = size;
    }

    /** Creates a new sparse raw file of {@code size} bytes; refuses to overwrite an existing one. */
    public static RawFileTarget create(Path path, long size) throws IOException {
        FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        try {
            if (size > 0) {
                ch.write(ByteBuffer.allocate(1), size - 1);
            }
        } catch (IOException e) {
            ch.close();
            throw e;
        }
        return new RawFileTarget(path, ch, size);
    }

    /** Opens an existing raw image for an in-place restore. */
    public static RawFileTarget open(Path path) throws IOException {
        FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        return new RawFileTarget(path, ch, ch.size());
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public byte[] read(long offset, int length) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(length);
        while (b.hasRemaining()) {
            int n = channel.read(b, offset + b.position());
            if (n < 0) {
                break; // past the end of a shorter file: zeros
            }
        }
        return b.array();
    }

    @Override
    public void write(long offset, byte[] data) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(data);
        while (b.hasRemaining()) {
            channel.write(b, offset + b.position());
        }
    }

    @Override
    public void writeZeroes(long offset, long length) throws IOException {
        while (length > 0) {
            int n = (int) Math.min(length, ZEROS.length);
            ByteBuffer b = ByteBuffer.wrap(ZEROS, 0, n);
            long at = offset;
            while (b.hasRemaining()) {
                channel.write(b, at + b.position());
            }
            offset += n;
            length -= n;
        }
    }

    @Override
    public void flush() throws IOException {
        channel.force(true);
    }

    @Override
    public String describe() {
        return "raw image " + path;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
