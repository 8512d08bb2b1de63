package io.ferry.hypervisor;

import java.util.List;
import java.util.Optional;

/**
 * What {@code qemu-img info --output=json} says about an image.
 *
 * @param format         image format ({@code qcow2}, {@code raw})
 * @param virtualSize    guest-visible size in bytes
 * @param actualSize     bytes allocated on the host
 * @param backingFile    backing file name or URI as recorded in the image, or null
 * @param backingFormat  backing format, or null
 * @param bitmaps        persistent dirty bitmaps (qcow2 only)
 */
public record ImageInfo(String format, long virtualSize, long actualSize, String backingFile, String backingFormat,
                        List<Bitmap> bitmaps) {
    public ImageInfo {
        bitmaps = List.copyOf(bitmaps);
    }

    /**
     * A persistent dirty bitmap in a qcow2 image.
     *
     * @param name        bitmap name (libvirt names it after the checkpoint)
     * @param granularity bytes per bit
     * @param flags       as qemu-img reports them: {@code auto} (enabled, recording), {@code in-use}
     *                    (an open QEMU owns it, or QEMU died without storing it), {@code inconsistent}
     */
    public record Bitmap(String name, long granularity, List<String> flags) {
        public Bitmap {
            flags = List.copyOf(flags);
        }

        public boolean recording() { return flags.contains("auto"); }

        public boolean inUse() { return flags.contains("in-use"); }

        public boolean inconsistent() { return flags.contains("inconsistent"); }
    }

    public Optional<Bitmap> bitmap(String name) {
        return bitmaps.stream().filter(b -> b.name().equals(name)).findFirst();
    }
}
