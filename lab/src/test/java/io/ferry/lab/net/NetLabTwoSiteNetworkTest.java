package io.ferry.lab.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real namespaces, veth pairs and tbf; skipped unless root (and not -Dferry.skipVmTests=true). */
class NetLabTwoSiteNetworkTest {
    static final int DATA_PORT = 7000;
    @TempDir Path dir;

    @BeforeEach
    void assumeNetns() throws Exception {
        Probes.assumeNetnsWorks();
    }

    /** A vault stand-in: listens on every root-namespace address. */
    static ServerSocket vault() throws Exception {
        ServerSocket s = new ServerSocket();
        s.bind(new InetSocketAddress(InetAddress.getByName("0.0.0.0"), 0), 64);
        return s;
    }

    @Test
    void sitesReachEachOtherOnlyOverTheSiteLinkAndTheVaultOnlyOverTheirOwnManagementLink() throws Exception {
        try (TwoSiteNetwork net = TwoSiteNetwork.create("ftr"); ServerSocket vault = vault()) {
            int vp = vault.getLocalPort();
            assertThat(net.namespaceA()).isEqualTo("ftr-a");
            assertThat(net.namespaceB()).isEqualTo("ftr-b");
            assertThat(net.addressBlock()).matches("10\\.2[0-5]\\d\\.\\d{1,3}\\.0/24");
            assertThat(net.command(Site.B, List.of("python3", "-V")))
                    .containsExactly("ip", "netns", "exec", "ftr-b", "python3", "-V");
            assertThat(Probes.ipOutputLines(List.of("ip", "netns", "list"))).anyMatch(l -> l.startsWith("ftr-a"))
                    .anyMatch(l -> l.startsWith("ftr-b"));
            // each site: only the two connected /30 routes, no default route
            for (Site s : Site.values()) {
                List<String> routes = Probes.ipOutputLines(List.of("ip", "-n", net.namespace(s), "-4", "route", "show"));
                assertThat(routes).as("routes in %s", net.namespace(s)).hasSize(2).noneMatch(r -> r.startsWith("default"));
            }

            Probes.startSink(net, Site.B, "0.0.0.0", DATA_PORT, dir.resolve("sink-b.log"));
            // replication path and management paths work
            assertThat(Probes.connect(net, Site.A, net.siteB(), DATA_PORT).connected()).isTrue();
            assertThat(Probes.connect(net, Site.A, net.vaultAddressFromA(), vp).connected()).isTrue();
            assertThat(Probes.connect(net, Site.B, net.vaultAddressFromB(), vp).connected()).isTrue();
            try (Socket s = new Socket()) { // the vault (root namespace) reaches an agent's management address
                s.connect(new InetSocketAddress(net.managementAddress(Site.B), DATA_PORT), 2000);
            }
            // nothing crosses the root namespace: A cannot reach B's management range, nor the vault via B's side
            Probes.Outcome viaRoot = Probes.connect(net, Site.A, net.managementAddress(Site.B), DATA_PORT);
            assertThat(viaRoot.connected()).as("A -> B's management address").isFalse();
            assertThat(viaRoot.output()).doesNotContain("Refused");
            assertThat(Probes.connect(net, Site.A, net.vaultAddressFromB(), vp).connected()).isFalse();
            assertThat(Probes.connect(net, Site.B, net.vaultAddressFromA(), vp).connected()).isFalse();
            System.out.println(net + "; A -> B's management address: " + viaRoot.output());
        }
    }

    @Test
    void cutSiteLinkStopsReplicationButNotTheVaultAndRestoreBringsItBack() throws Exception {
        try (TwoSiteNetwork net = TwoSiteNetwork.create("fcut"); ServerSocket vault = vault()) {
            int vp = vault.getLocalPort();
            Probes.startSink(net, Site.B, net.siteB().getHostAddress(), DATA_PORT, dir.resolve("sink-b.log"));
            assertThat(Probes.connect(net, Site.A, net.siteB(), DATA_PORT).connected()).isTrue();

            net.cutSiteLink();
            Probes.Outcome cut = Probes.connect(net, Site.A, net.siteB(), DATA_PORT);
            assertThat(cut.connected()).as("A -> siteB after cut").isFalse();
            assertThat(Probes.connect(net, Site.A, net.vaultAddressFromA(), vp).connected()).isTrue();
            assertThat(Probes.connect(net, Site.B, net.vaultAddressFromB(), vp).connected()).isTrue();
            System.out.println("A -> siteB with the link cut: " + cut.output());

            long t = System.nanoTime();
            net.restoreSiteLink();
            System.out.printf("restoreSiteLink took %d ms%n", (System.nanoTime() - t) / 1_000_000);
            assertThat(Probes.connect(net, Site.A, net.siteB(), DATA_PORT).connected()).isTrue();
            assertThat(Probes.send(net, Site.A, net.siteB(), DATA_PORT, 1 << 20).bytes()).isEqualTo(1 << 20);

            net.cutSiteLink(); // cut and restore again: repeatable
            assertThat(Probes.connect(net, Site.A, net.siteB(), DATA_PORT).connected()).isFalse();
            net.restoreSiteLink();
            assertThat(Probes.connect(net, Site.A, net.siteB(), DATA_PORT).connected()).isTrue();
        }
    }

    @Test
    void limitThrottlesTheSiteLinkAndClearLimitRemovesIt() throws Exception {
        long limit = 50_000_000;
        long size = 10L << 20;
        try (TwoSiteNetwork net = TwoSiteNetwork.create("flim")) {
            Probes.startSink(net, Site.B, net.siteB().getHostAddress(), DATA_PORT, dir.resolve("sink-b.log"));
            net.clearLimit(); // harmless without a limit
            net.limitSiteLink(limit);
            assertThat(Probes.ipOutputLines(List.of("tc", "-n", net.namespaceA(), "qdisc", "show", "dev", "flim-sa")))
                    .anyMatch(l -> l.contains("tbf") && l.contains("50Mbit"));
            Probes.Transfer slow = Probes.send(net, Site.A, net.siteB(), DATA_PORT, size);
            System.out.printf("10 MiB at a 50 Mbit/s limit: %.2f s, %.1f Mbit/s%n", slow.seconds(), slow.bitsPerSecond() / 1e6);
            assertThat(slow.bytes()).isEqualTo(size);
            assertThat(slow.bitsPerSecond()).isLessThan(2.0 * limit).isGreaterThan(limit / 4.0);

            net.clearLimit();
            Probes.Transfer fast = Probes.send(net, Site.A, net.siteB(), DATA_PORT, size);
            System.out.printf("10 MiB without a limit: %.3f s, %.1f Mbit/s%n", fast.seconds(), fast.bitsPerSecond() / 1e6);
            assertThat(fast.bitsPerSecond()).isGreaterThan(2.0 * limit);
            net.clearLimit();
        }
    }

    @Test
    void closeKillsProcessesRemovesNamespacesAndLinksAndIsIdempotent() throws Exception {
        TwoSiteNetwork net = TwoSiteNetwork.create("fcls");
        Process sleeper = net.start(Site.A, List.of("sleep", "600"), dir.resolve("logs/sleep.log"));
        assertThat(sleeper.isAlive()).isTrue();
        net.close();
        assertThat(sleeper.isAlive()).isFalse();
        assertThat(Probes.ipOutputLines(List.of("ip", "netns", "list"))).noneMatch(l -> l.startsWith("fcls-"));
        assertThat(Teardown.rootLinks()).noneMatch(l -> l.startsWith("fcls-"));
        assertThat(Probes.ipOutputLines(List.of("ip", "-4", "-o", "addr", "show")))
                .noneMatch(l -> l.contains(" " + net.vaultAddressFromA().getHostAddress() + "/"));
        net.close(); // harmless
        assertThatThrownBy(net::cutSiteLink).isInstanceOf(NetLabException.class)
                .hasMessageContaining("cut site link").hasMessageContaining("closed").hasMessageContaining("fcls");
    }

    @Test
    void twoNetworksCoexistOnDifferentBlocksAndCannotReachEachOther() throws Exception {
        try (TwoSiteNetwork one = TwoSiteNetwork.create("fco1"); TwoSiteNetwork two = TwoSiteNetwork.create("fco2");
             ServerSocket vault = vault()) {
            assertThat(one.addressBlock()).isNotEqualTo(two.addressBlock());
            Probes.startSink(one, Site.B, "0.0.0.0", DATA_PORT, dir.resolve("one-b.log"));
            Probes.startSink(two, Site.B, "0.0.0.0", DATA_PORT, dir.resolve("two-b.log"));
            for (TwoSiteNetwork n : List.of(one, two)) {
                assertThat(Probes.connect(n, Site.A, n.siteB(), DATA_PORT).connected()).as("%s", n).isTrue();
                assertThat(Probes.connect(n, Site.A, n.vaultAddressFromA(), vault.getLocalPort()).connected()).isTrue();
            }
            assertThat(Probes.connect(one, Site.A, two.siteB(), DATA_PORT).connected()).isFalse();
            assertThat(Probes.connect(two, Site.A, one.vaultAddressFromA(), vault.getLocalPort()).connected()).isFalse();
            one.cutSiteLink(); // cutting one leaves the other alone
            assertThat(Probes.connect(two, Site.A, two.siteB(), DATA_PORT).connected()).isTrue();
        }
    }

    @Test
    void createRemovesLeftoversOfAKilledRun() throws Exception {
        // what a killed run leaves: namespaces, a root-side veth end, a process still in a namespace
        Probes.run(List.of("ip", "netns", "add", "flft-a"));
        Probes.run(List.of("ip", "netns", "add", "flft-b"));
        assertThat(Probes.run(List.of("ip", "link", "add", "flft-ra", "type", "veth", "peer", "name", "flft-ia",
                "netns", "flft-a")).exitCode()).isZero();
        Process orphan = new ProcessBuilder("ip", "netns", "exec", "flft-a", "sleep", "600").start();
        TwoSiteNetwork abandoned = TwoSiteNetwork.create("flft");
        assertThat(orphan.waitFor(5, TimeUnit.SECONDS)).as("process left in flft-a is killed").isTrue();
        assertThat(Probes.connect(abandoned, Site.B, abandoned.vaultAddressFromB(), 1).output())
                .contains("Refused"); // reachable (nothing listens on port 1)
        // a run that never closed its network: the next create with the prefix takes over
        try (TwoSiteNetwork net = TwoSiteNetwork.create("flft"); ServerSocket vault = vault()) {
            Probes.startSink(net, Site.B, "0.0.0.0", DATA_PORT, dir.resolve("sink-b.log"));
            assertThat(Probes.connect(net, Site.A, net.siteB(), DATA_PORT).connected()).isTrue();
            assertThat(Probes.connect(net, Site.A, net.vaultAddressFromA(), vault.getLocalPort()).connected()).isTrue();
        }
        abandoned.close();
        assertThat(Teardown.namespaces()).noneMatch(n -> n.startsWith("flft-"));
    }
}
