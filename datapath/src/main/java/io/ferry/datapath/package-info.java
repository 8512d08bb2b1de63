/**
 * The data path: what moves bytes between a hypervisor's disks and a repository.
 *
 * <ul>
 *   <li>{@code capture}: full, incremental and resync cycles of all disks of a domain at one
 *       instant, read over NBD from a libvirt pull-mode backup (or {@code qemu-nbd} for a
 *       powered-off domain), hashed, compressed and stored in parallel.</li>
 *   <li>{@code restore}: a recovery point materialized into a new image, written in place into
 *       an existing one (only differing chunks), or exported read-only over NBD.</li>
 * </ul>
 *
 * <p>May depend on {@code io.ferry.nbd}, {@code io.ferry.repository} and
 * {@code io.ferry.hypervisor}; nothing here knows of HTTP, the vault or the CLI.
 */
package io.ferry.datapath;
