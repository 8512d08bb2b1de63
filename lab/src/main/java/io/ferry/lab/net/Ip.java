package io.ferry.lab.net;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** Runs {@code ip} and {@code tc} with a timeout. Package-private plumbing. */
final class Ip {
    static final long TIMEOUT_MS = 15_000;

    /** Exit code, stdout and stderr of one command; exit code -1 if it could not run or timed out. */
    record Result(List<String> argv, int exitCode, String stdout, String stderr) {
        boolean ok() { return exitCode == 0; }
    }

    private Ip() {}

    /** Runs argv; returns stdout; throws a {@link NetLabException} on any failure. */
    static String run(String object, String operation, List<String> argv) {
        return run(object, operation, argv, NetLabException.ROOT_HINT);
    }

    /** As {@link #run(String, String, List)} with a specific hint. */
    static String run(String object, String operation, List<String> argv, String hint) {
        Result r = attempt(argv);
        if (!r.ok()) {
            throw new NetLabException(object, operation, r.argv(), r.exitCode(), r.stderr(), hint, null);
        }
        return r.stdout();
    }

    /** Runs argv; never throws for a failure (for cleanup, probes and optional steps). */
    static Result attempt(List<String> argv) {
        Process p;
        try {
            ProcessBuilder pb = new ProcessBuilder(argv);
            pb.environment().put("LC_ALL", "C");
            pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            p = pb.start();
        } catch (IOException e) {
            return new Result(List.copyOf(argv), -1, "", "cannot start " + argv.get(0) + ": " + e.getMessage());
        }
        CompletableFuture<String> out = drain(p.getInputStream());
        CompletableFuture<String> err = drain(p.getErrorStream());
        try {
            if (!p.waitFor(TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
                return new Result(List.copyOf(argv), -1, "", "timed out after " + TIMEOUT_MS / 1000 + " s");
            }
            return new Result(List.copyOf(argv), p.exitValue(), out.get(), err.get());
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            return new Result(List.copyOf(argv), -1, "", "interrupted");
        } catch (ExecutionException e) {
            return new Result(List.copyOf(argv), -1, "", "cannot read output: " + e.getCause());
        }
    }

    private static CompletableFuture<String> drain(InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            try (in) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, r -> Thread.ofVirtual().start(r));
    }
}
