/**
 * NBD (Network Block Device) protocol for Ferry: a pipelined client and a read-only server.
 *
 * <p>Public API:
 * <ul>
 *   <li>{@link io.ferry.nbd.NbdClient} - connects to qemu-nbd, nbdkit, QEMU's built-in NBD
 *       server (pull-mode backups) or {@link io.ferry.nbd.NbdServer}; reads (many in flight),
 *       block status for {@code base:allocation} and {@code qemu:dirty-bitmap:NAME},
 *       writes, write-zeroes, trim, flush.</li>
 *   <li>{@link io.ferry.nbd.NbdServer} - exports {@link io.ferry.nbd.ExportSource}s read-only
 *       to qemu, nbdcopy, nbdinfo and the like.</li>
 *   <li>{@link io.ferry.nbd.NbdAddress} (with {@link io.ferry.nbd.NbdAddress.NbdUri}),
 *       {@link io.ferry.nbd.Extent}, {@link io.ferry.nbd.NbdException}.</li>
 * </ul>
 *
 * <p>Package-private helpers, each named for what it holds: {@code ClientHandshake},
 * {@code ClientConnection} (transmission phase, reader thread, watchdog),
 * {@code InflightRequests}, {@code Request}, {@code NegotiatedExport}, {@code WireReader}
 * (buffered big-endian channel reader), {@code Sockets}, {@code ServerHandshake},
 * {@code ServerConnection}, {@code ServerSession}, {@code BufferPool}.
 * Wire constants live in {@link io.ferry.nbd.protocol}.
 *
 * <p>TLS and extended headers (64-bit lengths) are not implemented.
 *
 * <p>Depends on the JDK only.
 */
package io.ferry.nbd;
