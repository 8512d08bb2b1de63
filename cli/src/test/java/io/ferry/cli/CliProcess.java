package io.ferry.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the ferry command in a child JVM (so it can be killed, or run with fewer privileges). */
final class CliProcess {
    record Result(int exit, String out, String err) { }

    private CliProcess() { }

    static List<String> command(List<String> prefix, String... args) {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("--enable-native-access=ALL-UNNAMED");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(Main.class.getName());
        cmd.addAll(List.of(args));
        return cmd;
    }

    static Process start(String... args) throws IOException {
        return new ProcessBuilder(command(List.of(), args)).redirectErrorStream(true).start();
    }

    static Result run(List<String> prefix, String... args) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command(prefix, args)).start();
        var err = p.getErrorStream();
        var errText = new StringBuilder();
        Thread t = Thread.ofVirtual().start(() -> {
            try {
                errText.append(new String(err.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException ignored) {
                // process gone
            }
        });
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("ferry " + String.join(" ", args) + " did not finish");
        }
        t.join();
        return new Result(p.exitValue(), out, errText.toString());
    }

    static Result run(String... args) throws IOException, InterruptedException {
        return run(List.of(), args);
    }
}
