package io.ferry.hypervisor;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A running pull-mode backup of one domain: QEMU serves each disk's frozen point-in-time view
 * over NBD on {@link #socket()}. {@link #close()} ends the backup job and removes the scratch
 * files; it is idempotent. The checkpoint created with the backup (if any) stays.
 */
public final class BackupSession implements AutoCloseable {
    private final Libvirt libvirt;
    private final String domain;
    private final Path socket;
    private final Map<String, String> exports;
    private final Map<String, String> bitmaps;
    private final Map<String, Long> sizes;
    private final Map<String, Path> scratch;
    private final String checkpoint;
    private boolean closed;

    BackupSession(Libvirt libvirt, String domain, Path socket, Map<String, String> exports,
                  Map<String, String> bitmaps, Map<String, Long> sizes, Map<String, Path> scratch, String checkpoint) {
        this.libvirt = libvirt;
        this.domain = domain;
        this.socket = socket;
        this.exports = Map.copyOf(exports);
        this.bitmaps = Map.copyOf(bitmaps);
        this.sizes = Map.copyOf(sizes);
        this.scratch = Map.copyOf(scratch);
        this.checkpoint = checkpoint;
    }

    public String domain() { return domain; }

    /** The unix socket QEMU's NBD server listens on. */
    public Path socket() { return socket; }

    /** Disk targets in this backup. */
    public List<String> disks() { return exports.keySet().stream().sorted().toList(); }

    /** NBD export name of a disk (libvirt uses the target name, e.g. {@code vda}). */
    public String exportName(String disk) { return require(exports, disk); }

    /**
     * NBD meta context with the disk's changed blocks since the incremental base, e.g.
     * {@code qemu:dirty-bitmap:backup-vda}; null for a full backup.
     */
    public String dirtyBitmapContext(String disk) {
        require(exports, disk);
        String b = bitmaps.get(disk);
        return b == null ? null : "qemu:dirty-bitmap:" + b;
    }

    /** Guest-visible size of the disk in bytes. */
    public long diskSize(String disk) { return require(sizes, disk); }

    /** {@code nbd+unix:///EXPORT?socket=SOCKET} for qemu-img, nbdinfo, nbdcopy. */
    public String uri(String disk) { return "nbd+unix:///" + exportName(disk) + "?socket=" + socket; }

    /** The checkpoint created together with this backup, or null. */
    public String checkpoint() { return checkpoint; }

    public boolean incremental() { return !bitmaps.isEmpty(); }

    private <T> T require(Map<String, T> m, String disk) {
        T v = m.get(disk);
        if (v == null) {
            throw new HypervisorException(Libvirt.dom(domain), "backup export lookup", "disk " + disk
                    + " is not in this backup", "the backup covers " + disks());
        }
        return v;
    }

    /** Ends the backup ({@code virsh domjobabort}), waits for the job to go, removes scratch files. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        try {
            libvirt.abortJob(domain);
            long deadline = System.currentTimeMillis() + 30_000;
            while (!"None".equals(libvirt.jobType(domain)) && System.currentTimeMillis() < deadline) {
                Thread.sleep(50);
            }
        } catch (UnknownDomainException gone) {
            // the domain went away; nothing to end
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            scratch.values().forEach(Libvirt::deleteQuietly);
            Libvirt.deleteQuietly(socket);
        }
    }

    @Override
    public String toString() {
        return "BackupSession[" + domain + " " + (incremental() ? "incremental" : "full") + " on " + socket + "]";
    }
}
