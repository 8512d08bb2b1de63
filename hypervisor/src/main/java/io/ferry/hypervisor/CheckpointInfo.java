package io.ferry.hypervisor;

import java.time.Instant;
import java.util.List;

/**
 * A libvirt checkpoint of a domain.
 *
 * @param name     checkpoint name
 * @param parent   the previous checkpoint in the chain, or null
 * @param created  creation time
 * @param disks    targets of the disks that carry a bitmap for this checkpoint
 *                 ({@code checkpoint='bitmap'}); the bitmap has the checkpoint's name
 */
public record CheckpointInfo(String name, String parent, Instant created, List<String> disks) {
    public CheckpointInfo {
        disks = List.copyOf(disks);
    }
}
