package io.ferry.datapath.restore;

import io.ferry.hypervisor.QemuNbd;
import io.ferry.nbd.NbdAddress;
import io.ferry.nbd.NbdClient;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * An image of any format QEMU knows (qcow2, raw…) written through a writable qemu-nbd export.
 * Writes are pipelined: {@link #write} returns once the data is on the wire, with up to
 * {@value #WRITES_IN_FLIGHT} unacknowledged; {@link #flush} waits for all of them and reports
 * the first failure.
 */
public final class NbdTarget implements DiskTarget {
    static final int WRITES_IN_FLIGHT = 32;

    private final java.util.concurrent.Semaphore window = new java.util.concurrent.Semaphore(WRITES_IN_FLIGHT);
    private final java.util.concurrent.atomic.AtomicReference<Throwable> failure =
            new java.util.concurrent.atomic.AtomicReference<>();
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
        throwIfFailed();
        return client.read(offset, length);
    }

    @Override
    public void write(long offset, byte[] data) throws IOException {
        throwIfFailed();
        try {
            window.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("write to " + describe() + " interrupted");
        }
        client.writeAsync(offset, data, 0, data.length).whenComplete((ok, err) -> {
            if (err != null) {
                failure.compareAndSet(null, err);
            }
            window.release();
        });
    }

    private void drain() throws IOException {
        try {
            window.acquire(WRITES_IN_FLIGHT);
            window.release(WRITES_IN_FLIGHT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("waiting for writes to " + describe());
        }
        throwIfFailed();
    }

    private void throwIfFailed() throws IOException {
        Throwable t = failure.get();
        if (t != null) {
            Throwable c = t instanceof java.util.concurrent.CompletionException && t.getCause() != null ? t.getCause() : t;
            throw new IOException("a write to " + describe() + " failed: " + c.getMessage(), c);
        }
    }

    @Override
    public void writeZeroes(long offset, long length) throws IOException {
        throwIfFailed();
        client.writeZeroes(offset, length, true);
    }

    @Override
    public void flush() throws IOException {
        drain();
        client.flush();
    }

    @Override
    public String describe() {
        return "image " + image + " (through qemu-nbd)";
    }

    @Override
    public void close() throws IOException {
        try {
            drain();
        } finally {
            closeQuietly();
        }
    }

    private void closeQuietly() throws IOException {
        try {
            client.close();
        } finally {
            server.close();
            Files.deleteIfExists(socketDir);
        }
    }
}
