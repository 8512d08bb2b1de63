package io.ferry.datapath.restore;

import io.ferry.hypervisor.QemuNbd;
import io.ferry.nbd.NbdAddress;
import io.ferry.nbd.NbdClient;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** An image of any format QEMU knows (qcow2, raw…) written through a writable qemu-nbd export. */
public final class NbdTarget implements DiskTarget {
    private final Path image;
    private final QemuNbd server;
    private final NbdClient client;
    private final Path socketDir;

    private NbdTarget(Path image, QemuNbd server, NbdClient client, Path socketDir) {
        this.image = image;
        this.server = server;
        this.client = client;
        this.socketDir = socketDir;
    }

    public static NbdTarget open(Path image, String format) throws IOException {
        Path dir = Files.createTempDirectory("ferry-restore-");
        QemuNbd server = null;
        try {
            server = QemuNbd.exportWritable(image, format, dir.resolve("target.sock"));
            NbdClient client = NbdClient.connect(new NbdAddress.Unix(server.socket()), server.exportName(), List.of());
            if (client.readOnly()) {
                client.close();
                throw new IOException("qemu-nbd exported " + image + " read-only; hint: check the file's permissions");
            }
            return new NbdTarget(image, server, client, dir);
        } catch (IOException | RuntimeException e) {
            if (server != null) {
                server.close();
            }
            Files.deleteIfExists(dir);
            throw e;
        }
    }

    @Override
    public long size() {
        return client.size();
    }

    @Override
    public byte[] read(long offset, int length) throws IOException {
        return client.read(offset, length);
    }

    @Override
    public void write(long offset, byte[] data) throws IOException {
        client.write(offset, data, 0, data.length);
    }

    @Override
    public void writeZeroes(long offset, long length) throws IOException {
        client.writeZeroes(offset, length, true);
    }

    @Override
    public void flush() throws IOException {
        client.flush();
    }

    @Override
    public String describe() {
        return "image " + image + " (through qemu-nbd)";
    }

    @Override
    public void close() throws IOException {
        try {
            client.close();
        } finally {
            server.close();
            Files.deleteIfExists(socketDir);
        }
    }
}
