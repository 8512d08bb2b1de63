package io.ferry.nbd;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A qemu-nbd or nbdkit child process listening on a Unix socket; killed on close. */
final class ExternalServer implements AutoCloseable {
    final Process process;
    final Path socket;
    final Path log;

    private ExternalServer(Process process, Path socket, Path log) {
        this.process = process;
        this.socket = socket;
        this.log = log;
    }

    static ExternalServer start(Path socket, String... command) throws IOException, InterruptedException {
        Path log = socket.resolveSibling(socket.getFileName() + ".log");
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        Process p = pb.start();
        ExternalServer s = new ExternalServer(p, socket, log);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new IOException("server exited with " + p.exitValue() + ": " + String.join(" ", command)
                        + "\n" + Files.readString(log));
            }
            if (Files.exists(socket)) {
                try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                    ch.connect(UnixDomainSocketAddress.of(socket));
                    return s;
                } catch (IOException notYet) {
                    // keep polling
                }
            }
            Thread.sleep(20);
        }
        s.close();
        throw new IOException("server did not listen on " + socket + " within 10 s: " + String.join(" ", command));
    }

    /** qemu-nbd serving {@code file}; extra args go before the file. */
    static ExternalServer qemuNbd(Path socket, Path file, String format, String... extra)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("qemu-nbd", "--persistent", "--shared=8", "-f", format,
                "-k", socket.toString()));
        cmd.addAll(List.of(extra));
        cmd.add(file.toString());
        return start(socket, cmd.toArray(String[]::new));
    }

    /** nbdkit in the foreground on {@code socket}: args are [--filter=..] plugin [params]. */
    static ExternalServer nbdkit(Path socket, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("nbdkit", "-f", "--exit-with-parent", "-U", socket.toString()));
        cmd.addAll(List.of(args));
        return start(socket, cmd.toArray(String[]::new));
    }

    NbdAddress address() {
        return new NbdAddress.Unix(socket);
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** Runs a command to completion (30 s max) and returns its exit code and output. */
    static Result run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] out;
        try {
            out = p.getInputStream().readAllBytes();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                throw new IOException("timed out: " + String.join(" ", command));
            }
        } finally {
            p.destroyForcibly();
        }
        return new Result(p.exitValue(), new String(out, java.nio.charset.StandardCharsets.UTF_8));
    }

    record Result(int exit, String output) {
        Result requireSuccess(String what) {
            if (exit != 0) {
                throw new AssertionError(what + " failed with exit " + exit + ":\n" + output);
            }
            return this;
        }
    }
}
