package io.ferry.lab.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Test helpers: skip conditions and socket probes run inside a site with python3. */
final class Probes {
    /** Exit 0 if a TCP connect to argv[1]:argv[2] succeeds within 2 s; else prints the error, exit 1. */
    static final String CONNECT = """
            import socket, sys
            try:
                socket.create_connection((sys.argv[1], int(sys.argv[2])), 2).close()
            except OSError as e:
                print(type(e).__name__, e)
                sys.exit(1)
            """;

    /** Listens on argv[1]:argv[2]; per connection reads to EOF and replies with the byte count. */
    static final String SINK = """
            import socket, sys
            s = socket.socket()
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((sys.argv[1], int(sys.argv[2])))
            s.listen(64)
            print("listening", flush=True)
            while True:
                c, _ = s.accept()
                n = 0
                try:
                    while True:
                        d = c.recv(1 << 20)
                        if not d:
                            break
                        n += len(d)
                    c.sendall(str(n).encode())
                except OSError:
                    pass
                finally:
                    c.close()
            """;

    /** Sends argv[3] bytes to argv[1]:argv[2], waits for the sink's count; prints "count seconds". */
    static final String SEND = """
            import socket, sys, time
            host, port, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
            buf = bytes(1 << 16)
            t = time.monotonic()
            c = socket.create_connection((host, port), 5)
            c.settimeout(60)
            left = size
            while left > 0:
                k = min(left, len(buf))
                c.sendall(buf[:k])
                left -= k
            c.shutdown(socket.SHUT_WR)
            r = b""
            while True:
                d = c.recv(64)
                if not d:
                    break
                r += d
            print(int(r), time.monotonic() - t)
            """;

    record Outcome(int exitCode, String output) {
        boolean connected() { return exitCode == 0; }
    }

    record Transfer(long bytes, double seconds) {
        double bitsPerSecond() { return bytes * 8 / seconds; }
    }

    private Probes() {}

    /** Skips unless real namespaces can be made: not -Dferry.skipVmTests, root, ip netns, python3. */
    static void assumeNetnsWorks() throws Exception {
        assumeFalse(Boolean.getBoolean("ferry.skipVmTests"), "VM/namespace tests skipped (-Dferry.skipVmTests)");
        String uid = Files.readAllLines(Path.of("/proc/self/status")).stream()
                .filter(l -> l.startsWith("Uid:")).findFirst().orElse("Uid: ?").split("\\s+")[1];
        assumeTrue(uid.equals("0"), "network namespaces need root");
        assumeTrue(run(List.of("ip", "netns", "list")).exitCode() == 0, "`ip netns` is unavailable");
        assumeTrue(run(List.of("python3", "-c", "pass")).exitCode() == 0, "python3 is needed for the probes");
    }

    static Outcome run(List<String> argv) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        } catch (IOException e) {
            return new Outcome(-1, e.toString());
        }
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return new Outcome(-1, "timed out: " + argv);
        }
        return new Outcome(p.exitValue(), new String(out, StandardCharsets.UTF_8).strip());
    }

    static Outcome connect(TwoSiteNetwork net, Site from, InetAddress host, int port) throws Exception {
        return run(net.command(from, List.of("python3", "-c", CONNECT, host.getHostAddress(), String.valueOf(port))));
    }

    /** Starts a sink in site on host:port (host may be 0.0.0.0) and waits until it listens. */
    static Process startSink(TwoSiteNetwork net, Site site, String host, int port, Path log) throws Exception {
        Process p = net.start(site, List.of("python3", "-u", "-c", SINK, host, String.valueOf(port)), log);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            if (Files.exists(log) && Files.readString(log).contains("listening")) return p;
            assertThat(p.isAlive()).as("sink in %s died: %s", site, Files.exists(log) ? Files.readString(log) : "").isTrue();
            Thread.sleep(20);
        }
        throw new AssertionError("sink in " + site + " not listening after 10 s: " + Files.readString(log));
    }

    static Transfer send(TwoSiteNetwork net, Site from, InetAddress host, int port, long bytes) throws Exception {
        Outcome o = run(net.command(from, List.of("python3", "-c", SEND, host.getHostAddress(),
                String.valueOf(port), String.valueOf(bytes))));
        assertThat(o.exitCode()).as("send from %s: %s", from, o.output()).isZero();
        String[] t = o.output().split("\\s+");
        return new Transfer(Long.parseLong(t[0]), Double.parseDouble(t[1]));
    }

    static List<String> ipOutputLines(List<String> argv) throws Exception {
        Outcome o = run(argv);
        assertThat(o.exitCode()).as("%s: %s", argv, o.output()).isZero();
        List<String> lines = new ArrayList<>();
        for (String l : o.output().split("\n")) if (!l.isBlank()) lines.add(l.strip());
        return lines;
    }
}
