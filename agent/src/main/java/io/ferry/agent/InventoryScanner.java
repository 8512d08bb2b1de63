package io.ferry.agent;

import io.ferry.hypervisor.DiskInfo;
import io.ferry.hypervisor.DomainInfo;
import io.ferry.hypervisor.HypervisorException;
import io.ferry.hypervisor.Libvirt;
import io.ferry.hypervisor.NicInfo;
import io.ferry.protocol.Inventory;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** Reads the host's domains, their disks and NICs, and its networks from libvirt. */
final class InventoryScanner {
    private final Libvirt libvirt;
    private final Pattern filter;

    InventoryScanner(Libvirt libvirt, Pattern filter) {
        this.libvirt = libvirt;
        this.filter = filter;
    }

    Inventory scan() {
        List<Inventory.Domain> out = new ArrayList<>();
        for (String name : libvirt.domainNames()) {
            // filtered before the lookups: a host's other domains cost one listing, not three virsh calls each
            if (!filter.matcher(name).matches()) continue;
            DomainInfo d;
            try {
                d = libvirt.domain(name);
            } catch (HypervisorException gone) {
                continue;
            }
            List<Inventory.Disk> disks = new ArrayList<>();
            for (DiskInfo disk : d.disks()) {
                disks.add(new Inventory.Disk(disk.target(), disk.source() == null ? null : disk.source().toString(),
                        disk.format(), disk.capacity()));
            }
            List<Inventory.Nic> nics = new ArrayList<>();
            try {
                for (NicInfo n : libvirt.interfaces(d.name())) nics.add(new Inventory.Nic(n.source(), n.mac()));
            } catch (HypervisorException gone) {
                // undefined while we looked
            }
            out.add(new Inventory.Domain(d.uuid(), d.name(), d.state().name(), disks, nics));
        }
        List<String> networks;
        try {
            networks = libvirt.networks();
        } catch (HypervisorException e) {
            networks = List.of();
        }
        return new Inventory(out, networks);
    }
}
