package io.ferry.lab;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** Writes a cpio archive in the "newc" format the Linux initramfs loader reads. */
final class Cpio implements AutoCloseable {
    static final int DIR = 0040000;
    static final int FILE = 0100000;
    static final int SYMLINK = 0120000;
    static final int CHARDEV = 0020000;

    private final OutputStream out;
    private long written;
    private int ino = 1;

    Cpio(OutputStream out) {
        this.out = out;
    }

    void dir(String name) throws IOException {
        entry(name, DIR | 0755, new byte[0], 0, 0);
    }

    void file(String name, int perm, byte[] data) throws IOException {
        entry(name, FILE | perm, data, 0, 0);
    }

    void symlink(String name, String target) throws IOException {
        entry(name, SYMLINK | 0777, target.getBytes(StandardCharsets.UTF_8), 0, 0);
    }

    void charDevice(String name, int perm, int major, int minor) throws IOException {
        entry(name, CHARDEV | perm, new byte[0], major, minor);
    }

    private void entry(String name, int mode, byte[] data, int rmajor, int rminor) throws IOException {
        byte[] n = (name + "\0").getBytes(StandardCharsets.UTF_8);
        int nlink = (mode & 0170000) == DIR ? 2 : 1;
        String header = "070701" + hex(ino++) + hex(mode) + hex(0) + hex(0) + hex(nlink) + hex(0)
                + hex(data.length) + hex(0) + hex(0) + hex(rmajor) + hex(rminor) + hex(n.length) + hex(0);
        write(header.getBytes(StandardCharsets.US_ASCII));
        write(n);
        pad();
        write(data);
        pad();
    }

    private static String hex(int v) {
        return String.format("%08x", v);
    }

    private void write(byte[] b) throws IOException {
        out.write(b);
        written += b.length;
    }

    private void pad() throws IOException {
        while (written % 4 != 0) {
            out.write(0);
            written++;
        }
    }

    @Override
    public void close() throws IOException {
        entry("TRAILER!!!", 0, new byte[0], 0, 0);
        out.close();
    }
}
