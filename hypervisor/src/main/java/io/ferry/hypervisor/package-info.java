/**
 * The hypervisor driver: libvirt domains, disks, checkpoints and pull-mode backups, plus
 * wrappers for {@code qemu-nbd} and {@code qemu-img}.
 *
 * <p>Depends on the JDK only. It runs the command-line tools {@code virsh}, {@code qemu-nbd} and
 * {@code qemu-img} (and reads their XML/JSON output with the JDK's parsers).
 *
 * <p>Decision: libvirt is driven through {@code virsh}, not the libvirt Java binding. The binding
 * (0.5.x) has no checkpoint or backup API ({@code virDomainCheckpointCreateXML},
 * {@code virDomainBackupBegin}); virsh exposes both and speaks libvirt's stable XML formats. Every
 * call has a timeout; failures are {@link io.ferry.hypervisor.HypervisorException}s naming the
 * domain or image, the operation, the tool's stderr and a hint.
 *
 * <ul>
 *   <li>{@link io.ferry.hypervisor.Libvirt}: domains, checkpoints (online and offline),
 *       checkpoint health, {@link io.ferry.hypervisor.BackupSession pull-mode backups}; for
 *       recovery: {@code inactiveXml}, {@code exists}, {@code blockPull} (make an NBD-backed overlay
 *       standalone while the VM runs), {@code shutdownAndWait}, isolated networks
 *       ({@code createIsolatedNetwork}, {@code networkExists}, {@code removeNetwork}).</li>
 *   <li>{@link io.ferry.hypervisor.RecoveryDomainXml}: a source domain's XML to the XML of its
 *       recovery copy (new name and uuid, disks on qcow2 overlays over NBD, NICs re-mapped,
 *       consoles moved).</li>
 *   <li>{@link io.ferry.hypervisor.QemuNbd}: exports a powered-off domain's disk (optionally with
 *       a dirty bitmap) or an image to restore into.</li>
 *   <li>{@link io.ferry.hypervisor.QemuImg}: create, overlay, info, convert, bitmaps.</li>
 * </ul>
 */
package io.ferry.hypervisor;
