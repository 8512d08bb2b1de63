package io.ferry.lab;

import java.nio.file.Path;

/**
 * A built lab guest: a Debian kernel and an initramfs with busybox, the virtio modules, /init and
 * the workload. Both files are readable by libvirt-qemu.
 */
public record GuestArtifacts(Path kernel, Path initrd) {}
