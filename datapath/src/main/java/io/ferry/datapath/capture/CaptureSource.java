package io.ferry.datapath.capture;

import io.ferry.nbd.NbdAddress;

import java.io.IOException;

/**
 * A frozen, point-in-time view of every disk of a domain, readable over NBD. Closing it ends
 * the view (the backup job, or the qemu-nbd processes).
 */
public interface CaptureSource extends AutoCloseable {
    /** Where disk {@code target} (e.g. {@code vda}) is served. */
    NbdAddress address(String target);

    /** NBD export name of disk {@code target}. */
    String exportName(String target);

    /**
     * The meta context listing what changed since the parent checkpoint, e.g.
     * {@code qemu:dirty-bitmap:backup-vda}; null when the view is read in full.
     */
    String dirtyContext(String target);

    /** A description for messages ("libvirt backup of web1", "qemu-nbd of /x.qcow2"). */
    String describe();

    @Override
    void close() throws IOException;
}
