package io.ferry.e2e.bench;

import io.ferry.lab.net.Site;
import io.ferry.lab.net.TwoSiteNetwork;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A real `ferry agent` JVM in a site's network namespace (a copy of the system tests'
 * {@code AgentProcess}, which is package-private there), plus what a benchmark needs: the pid of
 * the agent's JVM, to read its CPU time from {@code /proc}.
 */
final class BenchAgent implements AutoCloseable {
    final Site site;
    final Path state;
    final Path log;
    private final TwoSiteNetwork net;
    private final List<String> args;
    private Process process;

    BenchAgent(TwoSiteNetwork net, Site site, Path state, List<String> agentArgs) {
        this.net = net;
        this.site = site;
        this.state = state;
        this.log = state.resolveSibling(state.getFileName() + ".log");
        this.args = List.copyOf(agentArgs);
    }

    BenchAgent start() {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("--enable-native-access=ALL-UNNAMED");
        cmd.add("-Xmx512m");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add("io.ferry.cli.Main");
        cmd.add("agent");
        cmd.addAll(args);
        List<String> argv = new ArrayList<>(List.of("env", "FERRY_LOG=info"));
        argv.addAll(cmd);
        process = net.start(site, argv, log);
        return this;
    }

    /**
     * The pid of the agent's JVM: {@code ip netns exec} and {@code env} exec the next program, so
     * it is normally the started process itself; otherwise the first descendant named java.
     */
    long javaPid() {
        if ("java".equals(ProcStat.comm(process.pid()))) return process.pid();
        Optional<ProcessHandle> java = process.toHandle().descendants()
                .filter(h -> "java".equals(ProcStat.comm(h.pid()))).findFirst();
        return java.map(ProcessHandle::pid).orElseThrow(() -> new IllegalStateException(
                "no java process under pid " + process.pid() + " (" + ProcStat.comm(process.pid()) + ")"));
    }

    boolean alive() {
        return process != null && process.isAlive();
    }

    String logText() {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    void kill() throws InterruptedException {
        process.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        if (process == null) return;
        process.toHandle().descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) kill();
    }
}
