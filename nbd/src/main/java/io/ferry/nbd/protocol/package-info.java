/**
 * Wire-level vocabulary of the NBD protocol: numeric constants (magics, options,
 * option replies, commands, flags, chunk types, meta context flags) in
 * {@link io.ferry.nbd.protocol.NbdConstants} and the protocol's errno values in
 * {@link io.ferry.nbd.protocol.Errno}, with helpers that name them for error messages.
 *
 * <p>Source of truth: {@code doc/proto.md} of NetworkBlockDevice/nbd and, for
 * {@code qemu:dirty-bitmap:NAME}, QEMU's {@code docs/interop/nbd.txt}.
 *
 * <p>Depends on the JDK only.
 */
package io.ferry.nbd.protocol;
