package io.ferry.hypervisor;

import java.util.Comparator;
import java.util.List;

/**
 * Whether a checkpoint can still be trusted as the base of an incremental backup.
 *
 * <p>{@link Status#MISSING}: libvirt has no such checkpoint. Otherwise each disk of the checkpoint
 * is checked against the qcow2 dirty bitmap of the same name: {@link Status#BITMAP_MISSING} if
 * the image has no such bitmap, {@link Status#BITMAP_INCONSISTENT} if QEMU marks it inconsistent
 * or in use (QEMU did not close the image cleanly) or if it is not recording. The overall status
 * is the worst disk status.
 *
 * @param domain     the domain
 * @param checkpoint the checkpoint name
 * @param status     overall status
 * @param disks      one entry per disk of the checkpoint (empty when MISSING)
 */
public record CheckpointHealth(String domain, String checkpoint, Status status, List<Disk> disks) {
    public enum Status { OK, MISSING, BITMAP_MISSING, BITMAP_INCONSISTENT }

    /**
     * @param target disk target ({@code vda})
     * @param status the disk's status
     * @param detail what was seen, for the operator (e.g. "bitmap flags [in-use, auto]")
     */
    public record Disk(String target, Status status, String detail) {}

    public CheckpointHealth {
        disks = List.copyOf(disks);
    }

    static CheckpointHealth of(String domain, String checkpoint, List<Disk> disks) {
        Status worst = disks.stream().map(Disk::status).max(Comparator.naturalOrder()).orElse(Status.OK);
        return new CheckpointHealth(domain, checkpoint, worst, disks);
    }

    public boolean ok() { return status == Status.OK; }
}
