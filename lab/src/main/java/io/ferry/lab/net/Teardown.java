package io.ferry.lab.net;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/** Removes a two-site topology, whole or half-created, current or left over from a killed run. */
final class Teardown {
    private static final System.Logger LOG = System.getLogger(Teardown.class.getName());

    private Teardown() {}

    /** Before a create: removes everything named like {@code names}; throws if something stays. */
    static void removeLeftovers(LinkNames names) {
        remove(names);
        String object = "TwoSiteNetwork " + names.prefix();
        boolean gone = TwoSiteNetwork.waitUntil(TwoSiteNetwork.LINK_WAIT_MS, () -> {
            Set<String> links = rootLinks();
            Set<String> spaces = namespaces();
            return names.allInterfaces().stream().noneMatch(links::contains)
                    && Arrays.stream(Site.values()).noneMatch(s -> spaces.contains(names.namespace(s)));
        });
        if (!gone) {
            throw new NetLabException(object, "remove leftovers", "still present after 5 s: namespaces "
                    + namespaces() + ", links " + rootLinks(), "remove them by hand: ip netns del "
                    + names.namespace(Site.A) + "; ip link del " + names.rootSide(Site.A) + " (and -b/-rb)");
        }
    }

    /** Kills processes in both namespaces, deletes the root-side interfaces and the namespaces. Logs problems. */
    static void remove(LinkNames names) {
        Set<String> present = namespaces();
        for (Site s : Site.values()) {
            String ns = names.namespace(s);
            if (present.contains(ns)) kill(pidsIn(ns));
        }
        Set<String> links = rootLinks();
        for (String dev : names.allInterfaces()) {
            if (links.contains(dev)) logFailure(Ip.attempt(List.of("ip", "link", "del", dev)), dev);
        }
        for (Site s : Site.values()) {
            String ns = names.namespace(s);
            if (present.contains(ns)) logFailure(Ip.attempt(List.of("ip", "netns", "del", ns)), ns);
        }
    }

    /** Kills the processes (and their descendants) and waits up to 5 s for them to exit. */
    static void kill(List<ProcessHandle> processes) {
        long self = ProcessHandle.current().pid();
        List<ProcessHandle> all = new ArrayList<>();
        for (ProcessHandle p : processes) {
            if (p.pid() == self) continue;
            p.descendants().forEach(all::add);
            all.add(p);
        }
        all.forEach(ProcessHandle::destroyForcibly);
        for (ProcessHandle p : all) {
            try {
                p.onExit().get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                LOG.log(Level.WARNING, "process " + p.pid() + " did not exit within 5 s of SIGKILL: " + e);
            }
        }
    }

    private static List<ProcessHandle> pidsIn(String ns) {
        Ip.Result r = Ip.attempt(List.of("ip", "netns", "pids", ns));
        logFailure(r, ns);
        List<ProcessHandle> out = new ArrayList<>();
        for (String line : r.stdout().split("\n")) {
            if (line.isBlank()) continue;
            ProcessHandle.of(Long.parseLong(line.strip())).ifPresent(out::add);
        }
        return out;
    }

    /** Names from {@code ip netns list} ({@code name (id: 3)} per line). */
    static Set<String> namespaces() {
        Ip.Result r = Ip.attempt(List.of("ip", "netns", "list"));
        logFailure(r, "ip netns");
        Set<String> out = new HashSet<>();
        for (String line : r.stdout().split("\n")) {
            if (!line.isBlank()) out.add(line.strip().split("\\s+")[0]);
        }
        return out;
    }

    /** Interface names in the root namespace, from {@code ip -o link show} ({@code 5: name@if3: <...>}). */
    static Set<String> rootLinks() {
        Ip.Result r = Ip.attempt(List.of("ip", "-o", "link", "show"));
        logFailure(r, "root namespace");
        Set<String> out = new HashSet<>();
        for (String line : r.stdout().split("\n")) {
            String[] t = line.strip().split("\\s+");
            if (t.length < 2) continue;
            String name = t[1].endsWith(":") ? t[1].substring(0, t[1].length() - 1) : t[1];
            int at = name.indexOf('@');
            out.add(at < 0 ? name : name.substring(0, at));
        }
        return out;
    }

    private static void logFailure(Ip.Result r, String object) {
        if (!r.ok()) {
            LOG.log(Level.WARNING, "cleanup of " + object + ": `" + String.join(" ", r.argv()) + "` exited with "
                    + r.exitCode() + ": " + r.stderr().strip() + " (hint: " + NetLabException.ROOT_HINT + ")");
        }
    }
}
