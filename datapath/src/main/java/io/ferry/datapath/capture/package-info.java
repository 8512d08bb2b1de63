/**
 * Capture: one cycle reads all disks of a domain at one instant and commits one recovery point.
 *
 * <p>{@link io.ferry.datapath.capture.MachineCapture} decides the mode (full, incremental,
 * resync) from the latest point of the machine and the health of its checkpoint, opens a
 * {@link io.ferry.datapath.capture.CaptureSource} (a libvirt pull-mode backup for a running
 * domain, {@code qemu-nbd} for a powered-off one) and feeds each disk through a
 * {@link io.ferry.datapath.capture.ChunkPipeline}: NBD reads in flight, hashing and compression
 * on worker threads, only chunks the repository lacks are stored. The point is committed
 * last; the checkpoint chain is then trimmed to the checkpoint the new point names.
 *
 * <p>Depends on nbd, repository, hypervisor.
 */
package io.ferry.datapath.capture;
