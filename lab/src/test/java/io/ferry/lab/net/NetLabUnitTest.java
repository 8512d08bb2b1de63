package io.ferry.lab.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The parts that need neither root nor namespaces. */
class NetLabUnitTest {
    @Test
    void prefixIsValidatedBeforeAnythingRuns() {
        for (String bad : new String[] {"", "toolong", "Upper", "a-b", "9ab", "a b", "x/y"}) {
            assertThatThrownBy(() -> TwoSiteNetwork.create(bad)).as("prefix '%s'", bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("prefix '" + bad + "'").hasMessageContaining("hint");
        }
        assertThatThrownBy(() -> TwoSiteNetwork.create(null)).isInstanceOf(IllegalArgumentException.class);
        LinkNames n = new LinkNames("abcdef");
        assertThat(n.allInterfaces()).allMatch(i -> i.length() <= 15).contains("abcdef-ra", "abcdef-sb");
        assertThat(n.namespace(Site.B)).isEqualTo("abcdef-b");
    }

    @Test
    void addressPlanUsesThreeSlash30sOfTheBlock() {
        AddressPlan p = new AddressPlan(Cidr.parse("10.201.7.0").address());
        assertThat(p.block()).hasToString("10.201.7.0/24");
        assertThat(AddressPlan.inet(p.siteLink(Site.A)).getHostAddress()).isEqualTo("10.201.7.1");
        assertThat(AddressPlan.inet(p.siteLink(Site.B)).getHostAddress()).isEqualTo("10.201.7.2");
        assertThat(AddressPlan.withPrefix(p.rootSide(Site.A))).isEqualTo("10.201.7.5/30");
        assertThat(AddressPlan.withPrefix(p.inside(Site.A))).isEqualTo("10.201.7.6/30");
        assertThat(AddressPlan.withPrefix(p.rootSide(Site.B))).isEqualTo("10.201.7.9/30");
        assertThat(AddressPlan.withPrefix(p.inside(Site.B))).isEqualTo("10.201.7.10/30");
    }

    @Test
    void pickSkipsBlocksOverlappingHostAddressesAndRoutes() {
        String addrs = """
                1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever preferred_lft forever
                4: eth0    inet 192.0.2.2/24 brd 192.0.2.255 scope global eth0\\       valid_lft forever
                7: x-ra    inet 10.200.0.5/30 scope global x-ra\\       valid_lft forever preferred_lft forever
                """;
        String routes = """
                default via 192.0.2.1 dev eth0
                10.200.1.0/24 dev tun0 proto kernel scope link src 10.200.1.7
                10.200.2.128/25 via 192.0.2.1 dev eth0
                local 10.200.0.5 dev x-ra table local proto kernel scope host src 10.200.0.5
                broadcast 192.0.2.255 dev eth0 table local proto kernel scope link src 192.0.2.2
                """;
        var used = new java.util.ArrayList<>(AddressBlocks.parseAddresses(addrs));
        used.addAll(AddressBlocks.parseRoutes(routes));
        assertThat(used).extracting(Cidr::toString).contains("127.0.0.1/8", "10.200.0.5/30", "10.200.1.0/24",
                "10.200.2.128/25", "10.200.0.5/32", "192.0.2.255/32").doesNotContain("default");
        assertThat(AddressBlocks.pick(used, 0).orElseThrow().block()).hasToString("10.200.3.0/24");
        assertThat(AddressBlocks.pick(used, AddressBlocks.COUNT - 1).orElseThrow().block()).hasToString("10.254.255.0/24");
        assertThat(AddressBlocks.pick(List.of(Cidr.parse("10.0.0.0/8")), 5)).isEmpty();
        assertThat(Cidr.parse("10.0.0.0/8").overlaps(Cidr.parse("10.3.4.0/24"))).isTrue();
        assertThat(Cidr.parse("10.3.5.0/24").overlaps(Cidr.parse("10.3.4.0/24"))).isFalse();
    }

    @Test
    void aFailedCommandNamesTheCommandExitCodeStderrAndAHint() {
        assumeTrue(Ip.attempt(List.of("ip", "-V")).ok(), "iproute2 not installed");
        assertThatThrownBy(() -> Ip.run("ferry-nosuch0", "show link", List.of("ip", "link", "show", "dev", "ferry-nosuch0")))
                .isInstanceOfSatisfying(NetLabException.class, e -> {
                    assertThat(e.exitCode()).isEqualTo(1);
                    assertThat(e.command()).containsExactly("ip", "link", "show", "dev", "ferry-nosuch0");
                    assertThat(e.stderr()).contains("does not exist");
                    assertThat(e.getMessage()).contains("show link failed for ferry-nosuch0")
                            .contains("`ip link show dev ferry-nosuch0` exited with 1")
                            .contains("are you root? is iproute2 installed");
                });
        assertThatThrownBy(() -> Ip.run("x", "run", List.of("ferry-no-such-tool")))
                .isInstanceOf(NetLabException.class).hasMessageContaining("could not run")
                .hasMessageContaining("cannot start ferry-no-such-tool");
    }
}
