package io.ferry.hypervisor;

import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@code qemu-nbd} process serving one image on a unix socket, e.g. a powered-off domain's disk
 * (read-only, optionally with a dirty bitmap as meta context {@code qemu:dirty-bitmap:NAME}) or a
 * qcow2 image being restored into (writable). {@link #close()} stops it and removes the socket.
 */
public final class QemuNbd implements AutoCloseable {
    private static final long START_TIMEOUT_MS = 15_000;

    private final Process process;
    private final Path socket;
    private final Path image;
    private final StringBuffer stderr = new StringBuffer();
    private boolean closed;

    private QemuNbd(Process process, Path socket, Path image) {
        this.process = process;
        this.socket = socket;
        this.image = image;
    }

    /**
     * {@code qemu-nbd --read-only --persistent --shared=8 -f FORMAT [--bitmap=BITMAP] -k SOCKET IMAGE};
     * returns once the socket accepts connections.
     */
    public static QemuNbd exportReadOnly(Path image, String format, String bitmap, Path socket) {
        List<String> argv = new ArrayList<>(List.of("qemu-nbd", "--read-only", "--persistent", "--shared=8",
                "-f", format));
        if (bitmap != null) argv.add("--bitmap=" + bitmap);
        argv.addAll(List.of("-k", socket.toString(), image.toString()));
        return start(argv, image, socket);
    }

    /** {@code qemu-nbd --persistent --shared=8 -f FORMAT -k SOCKET IMAGE}, for restores into an image. */
    public static QemuNbd exportWritable(Path image, String format, Path socket) {
        return start(List.of("qemu-nbd", "--persistent", "--shared=8", "--discard=unmap", "-f", format,
                "-k", socket.toString(), image.toString()), image, socket);
    }

    private static QemuNbd start(List<String> argv, Path image, Path socket) {
        String object = "image " + image;
        if (Files.exists(socket)) {
            throw new HypervisorException(object, "qemu-nbd", "socket " + socket + " already exists",
                    "another export may be using it; pick another socket path or remove the stale file");
        }
        Process p;
        try {
            p = new ProcessBuilder(argv).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            throw new HypervisorException(object, "qemu-nbd", e.getMessage(), "is qemu-utils installed?", e);
        }
        QemuNbd nbd = new QemuNbd(p, socket, image);
        nbd.collectStderr();
        long deadline = System.currentTimeMillis() + START_TIMEOUT_MS;
        while (true) {
            if (!p.isAlive()) {
                nbd.waitStderr();
                throw new HypervisorException(object, "qemu-nbd export on " + socket,
                        "exited with " + p.exitValue() + ": " + nbd.stderr, QemuImg.hint(nbd.stderr.toString()));
            }
            if (Files.exists(socket) && accepts(socket)) return nbd;
            if (System.currentTimeMillis() > deadline) {
                nbd.close();
                throw new HypervisorException(object, "qemu-nbd export on " + socket,
                        "socket not accepting after " + START_TIMEOUT_MS + " ms: " + nbd.stderr,
                        "is the machine overloaded? run the qemu-nbd command by hand");
            }
            sleep(20);
        }
    }

    private static boolean accepts(Path socket) {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private void collectStderr() {
        InputStream err = process.getErrorStream();
        Thread.ofVirtual().start(() -> {
            try (err) {
                byte[] buf = new byte[4096];
                int n;
                while ((n = err.read(buf)) > 0) stderr.append(new String(buf, 0, n, StandardCharsets.UTF_8));
            } catch (IOException ignored) {
                // process gone
            }
        });
    }

    private void waitStderr() {
        sleep(50);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HypervisorException("qemu-nbd", "wait", "interrupted", null, e);
        }
    }

    public Path socket() { return socket; }

    /** The NBD export name: qemu-nbd without {@code -x} serves the empty name. */
    public String exportName() { return ""; }

    /** {@code nbd+unix:///?socket=SOCKET}, usable by qemu-img and nbdinfo. */
    public String uri() { return "nbd+unix:///?socket=" + socket; }

    public Path image() { return image; }

    public boolean alive() { return process.isAlive(); }

    /** Stops qemu-nbd (SIGTERM, then SIGKILL after 10 s) and removes the socket. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        try {
            Files.deleteIfExists(socket);
        } catch (IOException e) {
            throw new HypervisorException("socket " + socket, "remove qemu-nbd socket", e.toString(),
                    "remove it by hand");
        }
    }

    @Override
    public String toString() {
        return "QemuNbd[" + image + " on " + socket + "]";
    }
}
