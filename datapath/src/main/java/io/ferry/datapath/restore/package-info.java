/**
 * Restore: bring a recovery point back.
 *
 * <ul>
 *   <li>{@link io.ferry.datapath.restore.PointDisk}: random access to one disk of a point,
 *       every chunk verified against its digest before a byte of it is returned;</li>
 *   <li>{@link io.ferry.datapath.restore.Materializer}: writes a point into a new raw or qcow2
 *       image, or in place into an existing one writing only the chunks whose digest differs;</li>
 *   <li>{@link io.ferry.datapath.restore.PointExport}: serves a point read-only over NBD with
 *       {@code base:allocation} (zero chunks are holes), so QEMU can boot from it through a
 *       qcow2 overlay without copying the disk.</li>
 * </ul>
 *
 * <p>Depends on nbd, repository, hypervisor (qemu-img/qemu-nbd for qcow2 targets).
 */
package io.ferry.datapath.restore;
