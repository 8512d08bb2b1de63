package io.ferry.nbd;

import java.nio.file.attribute.PosixFilePermissions;

/**
 * Who may connect to a Unix socket the server listens on: its permission bits and, optionally,
 * the user that should own it. The default lets only the server's own user in; a server that
 * QEMU must reach (QEMU runs as {@code libvirt-qemu}) gives the socket to that user.
 *
 * @param mode permissions as {@code ls} prints them, e.g. {@code rw-------}
 * @param owner user name to hand the socket to, or null to keep the server's user
 */
public record UnixSocketAccess(String mode, String owner) {
    /** Only the user the server runs as. */
    public static final UnixSocketAccess OWNER_ONLY = new UnixSocketAccess("rw-------", null);

    public UnixSocketAccess {
        PosixFilePermissions.fromString(mode == null ? "" : mode.length() == 9 ? mode : "invalid");
    }

    /** Only {@code user} (and root), e.g. {@code libvirt-qemu} so that QEMU can boot from the export. */
    public static UnixSocketAccess forUser(String user) {
        return new UnixSocketAccess("rw-------", user);
    }
}
