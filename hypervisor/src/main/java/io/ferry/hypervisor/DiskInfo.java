package io.ferry.hypervisor;

import java.nio.file.Path;

/**
 * One disk of a domain.
 *
 * @param target   the guest device name, e.g. {@code vda}
 * @param source   the image file, or null for a network or volume disk
 * @param format   the image format ({@code qcow2}, {@code raw})
 * @param capacity the guest-visible size in bytes (0 if libvirt could not tell)
 */
public record DiskInfo(String target, Path source, String format, long capacity) {}
