package io.ferry.protocol;

import java.util.List;

/** The domains and networks libvirt shows on one host. */
public record Inventory(List<Domain> domains, List<String> networks) {
    public Inventory {
        domains = domains == null ? List.of() : List.copyOf(domains);
        networks = networks == null ? List.of() : List.copyOf(networks);
    }

    /** One libvirt domain. {@code state} is libvirt's (running, paused, shut off, …). */
    public record Domain(String uuid, String name, String state, List<Disk> disks, List<Nic> nics) {
        public Domain {
            disks = disks == null ? List.of() : List.copyOf(disks);
            nics = nics == null ? List.of() : List.copyOf(nics);
        }
    }

    /** A disk of a domain: target (vda), backing file, image format, capacity in bytes (0 if unknown). */
    public record Disk(String target, String path, String format, long capacityBytes) {}

    /** A network interface: the libvirt network (or bridge) it joins and its MAC. */
    public record Nic(String network, String mac) {}
}
