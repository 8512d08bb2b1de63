package io.ferry.hypervisor;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** Runs an external tool with a timeout and captures its output. Package-private plumbing. */
final class Command {
    record Result(List<String> argv, int exitCode, String stdout, String stderr) {
        boolean ok() { return exitCode == 0; }

        /** stderr, or stdout when stderr is empty (some tools report errors on stdout). */
        String error() {
            String e = stderr.strip();
            return e.isEmpty() ? stdout.strip() : e;
        }
    }

    private Command() {}

    /**
     * Runs argv and waits at most timeout. Never throws for a non-zero exit; throws a
     * HypervisorException if the tool cannot be started or times out.
     */
    static Result run(List<String> argv, Duration timeout, String object, String hint) {
        return run(argv, timeout, null, object, hint);
    }

    static Result run(List<String> argv, Duration timeout, byte[] stdin, String object, String hint) {
        String all = String.join(" ", argv);
        String op = all.length() > 160 ? all.substring(0, 160) + "…" : all;
        Process p;
        try {
            ProcessBuilder pb = new ProcessBuilder(argv);
            pb.environment().put("LC_ALL", "C");
            if (stdin == null) pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            p = pb.start();
        } catch (IOException e) {
            throw new HypervisorException(object, op, e.getMessage(),
                    "is " + argv.get(0) + " installed? run scripts/install-deps.sh", e);
        }
        CompletableFuture<byte[]> out = drain(p.getInputStream());
        CompletableFuture<byte[]> err = drain(p.getErrorStream());
        try {
            if (stdin != null) {
                try (var os = p.getOutputStream()) { os.write(stdin); }
            }
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
                String e = new String(err.getNow(new byte[0]), StandardCharsets.UTF_8);
                throw new HypervisorException(object, op, "timed out after " + timeout.toSeconds() + " s " + e,
                        hint == null ? "is libvirtd responsive? try `virsh -c qemu:///system version`" : hint);
            }
            return new Result(List.copyOf(argv), p.exitValue(),
                    new String(out.get(), StandardCharsets.UTF_8), new String(err.get(), StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new HypervisorException(object, op, "interrupted", hint, e);
        } catch (ExecutionException | IOException e) {
            throw new HypervisorException(object, op, e.getMessage(), hint, e);
        }
    }

    private static CompletableFuture<byte[]> drain(InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            try (in) {
                ByteArrayOutputStream bos = new ByteArrayOutputStream();
                in.transferTo(bos);
                return bos.toByteArray();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, r -> Thread.ofVirtual().start(r));
    }
}
