/**
 * The lab: a tiny test guest, its record-writing workload and the record verifier.
 *
 * <ul>
 *   <li>{@link io.ferry.lab.GuestImage}: builds (once, cached) the guest kernel + initramfs with
 *       busybox, the virtio modules and the workload ({@code workload.c}, compiled statically).</li>
 *   <li>{@link io.ferry.lab.LabVm}: a TCG libvirt domain running the guest, with its serial console
 *       in a file, cleaned up on close.</li>
 *   <li>{@link io.ferry.lab.RecordFormat} and {@link io.ferry.lab.RecordVerifier}: the on-disk
 *       record format and the check that a disk holds an intact prefix of records.</li>
 * </ul>
 *
 * <p>Depends on {@code io.ferry.hypervisor} (libvirt, qemu-img, qemu-nbd) and the JDK. Building
 * the guest needs gcc with static glibc, busybox-static and linux-image-amd64; running VMs needs
 * root and libvirt (see {@code scripts/install-deps.sh}).
 */
package io.ferry.lab;
