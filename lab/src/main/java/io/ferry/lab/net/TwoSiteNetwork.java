package io.ferry.lab.net;

import java.io.File;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Two sites on one machine: namespaces {@code <prefix>-a} (primary) and {@code <prefix>-b}
 * (recovery), a veth "site link" between them, and per site a veth "management" link to the root
 * namespace, where the vault runs. Each site has loopback and only the connected routes of its
 * two links (no default route), so site A reaches exactly two things: the vault at
 * {@link #vaultAddressFromA()} (its management link) and site B at {@link #siteB()} (the site link);
 * the same for B. Nothing crosses the root namespace, so cutting the site link really cuts
 * replication. See {@link AddressPlan} for the addresses and {@link LinkNames} for the names.
 *
 * <pre>
 * try (TwoSiteNetwork net = TwoSiteNetwork.create("fcut")) {
 *     Process agentB = net.start(Site.B, List.of("java", "-jar", agentJar, "--listen", net.siteB() + ":7000",
 *             "--vault", net.vaultAddressFromB() + ":8443"), dir.resolve("agent-b.log"));
 *     net.cutSiteLink(); ... net.restoreSiteLink();
 *     net.limitSiteLink(50_000_000); ... net.clearLimit();
 * }
 * </pre>
 *
 * <p>Needs root and iproute2. {@link #create} first removes leftovers of the same prefix (from a
 * killed run), so a prefix must be unique among tests running at the same time; different
 * prefixes get different address blocks. {@link #close} kills every process still running in the
 * two namespaces, deletes the namespaces and the root-side interfaces; it is idempotent and also
 * runs from a JVM shutdown hook.
 */
public final class TwoSiteNetwork implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(TwoSiteNetwork.class.getName());
    static final long LINK_WAIT_MS = 5_000;
    private static final String TBF_HINT = NetLabException.ROOT_HINT + " does the kernel have sch_tbf"
            + " (`modprobe sch_tbf`)?";

    private final LinkNames names;
    private final AddressPlan plan;
    private final String object;
    private final List<Process> started = new ArrayList<>();
    private final Thread shutdownHook;
    private boolean closed;

    private TwoSiteNetwork(LinkNames names, AddressPlan plan) {
        this.names = names;
        this.plan = plan;
        this.object = "TwoSiteNetwork " + names.prefix() + " (" + plan.block() + ")";
        this.shutdownHook = new Thread(this::close, "ferry-netlab-cleanup-" + names.prefix());
    }

    /**
     * Creates the two sites. {@code prefix}: 1-6 characters, a lowercase letter then lowercase
     * letters or digits; leftovers with this prefix are removed first.
     *
     * @throws IllegalArgumentException if the prefix is invalid
     * @throws NetLabException if an {@code ip} command fails (everything created so far is removed)
     */
    public static TwoSiteNetwork create(String prefix) {
        LinkNames names = new LinkNames(prefix);
        TwoSiteNetwork net;
        try (HostLock lock = HostLock.acquire("TwoSiteNetwork " + prefix)) {
            Teardown.removeLeftovers(names);
            net = new TwoSiteNetwork(names, AddressBlocks.allocate("TwoSiteNetwork " + prefix));
            try {
                net.build();
            } catch (RuntimeException e) {
                net.close();
                throw e;
            }
        }
        try {
            Runtime.getRuntime().addShutdownHook(net.shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            net.close();
            throw new NetLabException(net.object, "create", "the JVM is shutting down", "create networks before exit");
        }
        LOG.log(Level.DEBUG, () -> "created " + net);
        return net;
    }

    private void build() {
        for (Site s : Site.values()) {
            String ns = namespace(s);
            Ip.run(ns, "create namespace", List.of("ip", "netns", "add", ns));
            Ip.run(ns, "bring up loopback", List.of("ip", "-n", ns, "link", "set", "lo", "up"));
        }
        Ip.run(names.siteLink(Site.A), "create site link", List.of("ip", "link", "add", names.siteLink(Site.A),
                "netns", namespaceA(), "type", "veth", "peer", "name", names.siteLink(Site.B), "netns", namespaceB()));
        for (Site s : Site.values()) {
            String ns = namespace(s);
            String root = names.rootSide(s);
            String inside = names.inside(s);
            Ip.run(root, "create management link", List.of("ip", "link", "add", root, "type", "veth",
                    "peer", "name", inside, "netns", ns));
            Ip.run(ns, "address site link", List.of("ip", "-n", ns, "addr", "add",
                    AddressPlan.withPrefix(plan.siteLink(s)), "dev", names.siteLink(s)));
            Ip.run(ns, "address management link", List.of("ip", "-n", ns, "addr", "add",
                    AddressPlan.withPrefix(plan.inside(s)), "dev", inside));
            Ip.run(root, "address management link", List.of("ip", "addr", "add",
                    AddressPlan.withPrefix(plan.rootSide(s)), "dev", root));
            Ip.run(ns, "bring up site link", List.of("ip", "-n", ns, "link", "set", names.siteLink(s), "up"));
            Ip.run(ns, "bring up management link", List.of("ip", "-n", ns, "link", "set", inside, "up"));
            Ip.run(root, "bring up management link", List.of("ip", "link", "set", root, "up"));
        }
        for (Site s : Site.values()) {
            awaitUp(namespace(s), names.siteLink(s), "create site link");
            awaitUp(namespace(s), names.inside(s), "create management link");
            awaitUp(null, names.rootSide(s), "create management link");
        }
    }

    /** The site-link address of site A (where agent A listens for site B). */
    public InetAddress siteA() { return siteAddress(Site.A); }

    /** The site-link address of site B (where agent B's data port listens for site A). */
    public InetAddress siteB() { return siteAddress(Site.B); }

    /** The site-link address of site s. */
    public InetAddress siteAddress(Site s) { return AddressPlan.inet(plan.siteLink(s)); }

    /** The root-namespace address agent A uses to reach the vault. */
    public InetAddress vaultAddressFromA() { return vaultAddressFrom(Site.A); }

    /** The root-namespace address agent B uses to reach the vault. */
    public InetAddress vaultAddressFromB() { return vaultAddressFrom(Site.B); }

    /** The root-namespace address site s uses to reach the vault. */
    public InetAddress vaultAddressFrom(Site s) { return AddressPlan.inet(plan.rootSide(s)); }

    /** Site s's own end of its management link: the vault sees connections from s coming from here. */
    public InetAddress managementAddress(Site s) { return AddressPlan.inet(plan.inside(s)); }

    /** {@code <prefix>-a}. */
    public String namespaceA() { return namespace(Site.A); }

    /** {@code <prefix>-b}. */
    public String namespaceB() { return namespace(Site.B); }

    /** The namespace of site s. */
    public String namespace(Site s) { return names.namespace(s); }

    /** The prefix this network was created with. */
    public String prefix() { return names.prefix(); }

    /** The /24 this network's addresses come from, e.g. {@code 10.213.7.0/24}. */
    public String addressBlock() { return plan.block().toString(); }

    /** {@code ip netns exec <namespace of site> argv...}, for a ProcessBuilder. */
    public List<String> command(Site site, List<String> argv) {
        if (argv.isEmpty()) throw new IllegalArgumentException("empty command for " + namespace(site));
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", namespace(site)));
        cmd.addAll(argv);
        return List.copyOf(cmd);
    }

    /**
     * Starts argv inside site's namespace with stdin from /dev/null and stdout and stderr appended
     * to logFile (parent directories are created). The process is killed on {@link #close}.
     */
    public synchronized Process start(Site site, List<String> argv, Path logFile) {
        checkOpen("start " + (argv.isEmpty() ? "" : argv.get(0)));
        List<String> cmd = command(site, argv);
        try {
            Path parent = logFile.toAbsolutePath().getParent();
            if (parent != null) Files.createDirectories(parent);
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            started.removeIf(q -> !q.isAlive());
            started.add(p);
            return p;
        } catch (IOException e) {
            throw new NetLabException(namespace(site), "start " + argv.get(0), cmd, -1, e.toString(),
                    "is " + logFile + " writable? " + NetLabException.ROOT_HINT, e);
        }
    }

    /** Sets both ends of the site link down: connections between the sites fail, the vault stays reachable. */
    public synchronized void cutSiteLink() {
        checkOpen("cut site link");
        for (Site s : Site.values()) {
            Ip.run(names.siteLink(s), "cut site link",
                    List.of("ip", "-n", namespace(s), "link", "set", names.siteLink(s), "down"));
        }
    }

    /** Sets both ends of the site link up and waits (at most 5 s) until both report UP. */
    public synchronized void restoreSiteLink() {
        checkOpen("restore site link");
        for (Site s : Site.values()) {
            Ip.run(names.siteLink(s), "restore site link",
                    List.of("ip", "-n", namespace(s), "link", "set", names.siteLink(s), "up"));
        }
        for (Site s : Site.values()) awaitUp(namespace(s), names.siteLink(s), "restore site link");
    }

    /**
     * Limits each direction of the site link to bitsPerSecond with a token bucket ({@code tc tbf}
     * on both ends, burst = 10 ms of traffic but at least 32 KiB, queue up to 50 ms). Replaces an
     * earlier limit.
     */
    public synchronized void limitSiteLink(long bitsPerSecond) {
        if (bitsPerSecond < 8_000) {
            throw new IllegalArgumentException("site link limit for " + object + " must be at least 8000 bit/s, got "
                    + bitsPerSecond + " (hint: the argument is bits per second, e.g. 50_000_000 for 50 Mbit/s)");
        }
        checkOpen("limit site link");
        long burstBytes = Math.max(bitsPerSecond / 8 / 100, 32 * 1024);
        for (Site s : Site.values()) {
            Ip.run(names.siteLink(s), "limit site link to " + bitsPerSecond + " bit/s", List.of("tc", "-n", namespace(s),
                    "qdisc", "replace", "dev", names.siteLink(s), "root", "tbf", "rate", bitsPerSecond + "bit",
                    "burst", String.valueOf(burstBytes), "latency", "50ms"), TBF_HINT);
        }
    }

    /** Removes a {@link #limitSiteLink limit}; harmless if there is none. */
    public synchronized void clearLimit() {
        checkOpen("clear site link limit");
        for (Site s : Site.values()) {
            String dev = names.siteLink(s);
            String shown = Ip.run(dev, "clear site link limit",
                    List.of("tc", "-n", namespace(s), "qdisc", "show", "dev", dev, "root"));
            if (shown.contains("tbf")) {
                Ip.run(dev, "clear site link limit",
                        List.of("tc", "-n", namespace(s), "qdisc", "del", "dev", dev, "root"));
            }
        }
    }

    /**
     * Kills the processes still running in both namespaces, deletes the namespaces and the
     * root-side interfaces. Idempotent; never throws (problems are logged).
     */
    @Override
    public void close() {
        List<Process> toKill;
        synchronized (this) {
            if (closed) return;
            closed = true;
            toKill = List.copyOf(started);
            started.clear();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException | IllegalArgumentException ignored) {
            // shutting down (we may be the hook), or never registered (create failed)
        }
        try {
            Teardown.kill(toKill.stream().map(Process::toHandle).toList());
            Teardown.remove(names);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "closing " + object + ": " + e + " (hint: remove leftovers with"
                    + " `ip netns del " + namespaceA() + "` etc.; the next create with this prefix also does)");
        }
        LOG.log(Level.DEBUG, () -> "closed " + object);
    }

    private synchronized void checkOpen(String operation) {
        if (closed) throw new NetLabException(object, operation, "the network is closed", "create a new TwoSiteNetwork");
    }

    private void awaitUp(String ns, String dev, String operation) {
        List<String> show = ns == null ? List.of("ip", "-o", "link", "show", "dev", dev)
                : List.of("ip", "-n", ns, "-o", "link", "show", "dev", dev);
        String[] last = {""};
        boolean up = waitUntil(LINK_WAIT_MS, () -> {
            last[0] = Ip.run(dev, operation, show).strip();
            return last[0].contains("state UP") && last[0].contains("LOWER_UP");
        });
        if (!up) {
            throw new NetLabException(dev + (ns == null ? "" : " in " + ns), operation,
                    "not UP after " + LINK_WAIT_MS / 1000 + " s: " + last[0], "check `" + String.join(" ", show) + "`");
        }
    }

    static boolean waitUntil(long timeoutMs, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeoutMs * 1_000_000;
        while (true) {
            if (condition.getAsBoolean()) return true;
            if (System.nanoTime() > deadline) return false;
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }

    @Override
    public String toString() {
        return object + ": " + namespaceA() + " site " + Cidr.format(plan.siteLink(Site.A))
                + " vault " + Cidr.format(plan.rootSide(Site.A)) + "; " + namespaceB() + " site "
                + Cidr.format(plan.siteLink(Site.B)) + " vault " + Cidr.format(plan.rootSide(Site.B));
    }
}
