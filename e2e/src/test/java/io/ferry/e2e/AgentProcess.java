package io.ferry.e2e;

import io.ferry.lab.net.Site;
import io.ferry.lab.net.TwoSiteNetwork;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A real `ferry agent` JVM started inside a site's network namespace; its log goes to a file. */
public final class AgentProcess implements AutoCloseable {
    final Site site;
    final Path state;
    final Path log;
    private final TwoSiteNetwork net;
    private final List<String> args;
    private Process process;

    AgentProcess(TwoSiteNetwork net, Site site, Path state, List<String> agentArgs) {
        this.net = net;
        this.site = site;
        this.state = state;
        this.log = state.resolveSibling(state.getFileName() + ".log");
        this.args = List.copyOf(agentArgs);
    }

    public AgentProcess start() {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("--enable-native-access=ALL-UNNAMED");
        cmd.add("-Xmx512m");
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add("io.ferry.cli.Main");
        cmd.add("agent");
        cmd.addAll(args);
        // the log is appended to, so a restarted agent's log follows the first one's
        List<String> env = List.of("env", "FERRY_LOG=info");
        List<String> argv = new ArrayList<>(env);
        argv.addAll(cmd);
        process = net.start(site, argv, log);
        return this;
    }

    /**
     * The pid of the agent's JVM (benchmarks read its CPU time in /proc): {@code ip netns exec} and
     * {@code env} exec the next program, so it is normally the started process itself.
     */
    public long javaPid() {
        if (isJava(process.toHandle())) return process.pid();
        return process.toHandle().descendants().filter(AgentProcess::isJava).findFirst().map(ProcessHandle::pid)
                .orElseThrow(() -> new IllegalStateException("no java process under pid " + process.pid()));
    }

    private static boolean isJava(ProcessHandle h) {
        try {
            return Files.readString(Path.of("/proc", Long.toString(h.pid()), "comm")).strip().equals("java");
        } catch (IOException e) {
            return false;
        }
    }

    /** SIGKILL: no shutdown hook runs, as when a host loses power. */
    public void kill() throws InterruptedException {
        process.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    public boolean alive() {
        return process != null && process.isAlive();
    }

    public String logText() {
        try {
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process == null) return;
        process.toHandle().descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) kill();
    }
}
