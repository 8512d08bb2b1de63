package io.ferry.lab.net;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Picks a /24 in 10.200.0.0 - 10.254.255.0 that overlaps no address or route of the root
 * namespace. Callers hold the {@link HostLock} from picking until the root-side addresses exist,
 * so two concurrent creations (threads or JVMs) never get the same block.
 */
final class AddressBlocks {
    static final int FIRST = Cidr.parse("10.200.0.0").address();
    static final int COUNT = 55 * 256; // 10.200.0.0 .. 10.254.255.0
    private static final Set<String> ROUTE_TYPES = Set.of("unicast", "local", "broadcast", "multicast",
            "unreachable", "blackhole", "prohibit", "throw", "nat", "anycast");

    private AddressBlocks() {}

    /** Reads the root namespace's addresses and routes and picks a free block, starting at a random one. */
    static AddressPlan allocate(String object) {
        String addrs = Ip.run(object, "list host addresses", List.of("ip", "-4", "-o", "addr", "show"));
        String routes = Ip.run(object, "list host routes", List.of("ip", "-4", "route", "show", "table", "all"));
        List<Cidr> used = new ArrayList<>(parseAddresses(addrs));
        used.addAll(parseRoutes(routes));
        return pick(used, ThreadLocalRandom.current().nextInt(COUNT)).orElseThrow(() -> new NetLabException(object,
                "pick a free address block", "every /24 in 10.200.0.0-10.254.255.0 is in use on this host",
                "remove leftover lab links: ip -o addr | grep ' 10\\.2[0-5][0-9]\\.'"));
    }

    /** The first free block at or after index {@code start} (wrapping around). */
    static Optional<AddressPlan> pick(List<Cidr> used, int start) {
        for (int i = 0; i < COUNT; i++) {
            int base = FIRST + ((start + i) % COUNT) * 256;
            Cidr block = new Cidr(base, 24);
            if (used.stream().noneMatch(block::overlaps)) return Optional.of(new AddressPlan(base));
        }
        return Optional.empty();
    }

    /** The networks in {@code ip -4 -o addr show} output ({@code ... inet a.b.c.d/len ...}). */
    static List<Cidr> parseAddresses(String output) {
        List<Cidr> out = new ArrayList<>();
        for (String line : output.split("\n")) {
            String[] t = line.trim().split("\\s+");
            for (int i = 0; i + 1 < t.length; i++) {
                if (t[i].equals("inet")) out.add(Cidr.parse(t[i + 1]));
            }
        }
        return out;
    }

    /** The destinations in {@code ip -4 route show table all} output, except default routes. */
    static List<Cidr> parseRoutes(String output) {
        List<Cidr> out = new ArrayList<>();
        for (String line : output.split("\n")) {
            String[] t = line.trim().split("\\s+");
            int i = t.length > 1 && ROUTE_TYPES.contains(t[0]) ? 1 : 0;
            if (t[i].isEmpty() || t[i].equals("default") || !Character.isDigit(t[i].charAt(0))) continue;
            out.add(Cidr.parse(t[i]));
        }
        return out;
    }
}
