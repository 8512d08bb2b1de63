package io.ferry.hypervisor;

import java.util.List;
import java.util.Optional;

/** A libvirt domain: name, UUID, state and its disks (device='disk' only, no cdroms). */
public record DomainInfo(String name, String uuid, DomainState state, List<DiskInfo> disks) {
    public DomainInfo {
        disks = List.copyOf(disks);
    }

    public Optional<DiskInfo> disk(String target) {
        return disks.stream().filter(d -> d.target().equals(target)).findFirst();
    }
}
