package io.ferry.hypervisor;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Wrapper around {@code qemu-img}: create images and overlays, inspect them, convert, edit bitmaps. */
public final class QemuImg {
    private static final Duration SHORT = Duration.ofSeconds(60);
    private static final Duration LONG = Duration.ofHours(6);

    private QemuImg() {}

    /** {@code qemu-img create -f FORMAT FILE SIZE}. */
    public static void create(Path file, String format, long size) {
        run(file, "qemu-img create", SHORT, "qemu-img", "create", "-q", "-f", format, file.toString(), Long.toString(size));
    }

    /**
     * A qcow2 overlay over a backing image or URI, e.g. {@code nbd+unix:///vda?socket=/x.sock} with
     * backing format {@code raw}. qemu-img opens the backing once to learn its size, so an NBD export
     * must already be serving.
     */
    public static void createOverlay(Path overlay, String backingUri, String backingFormat) {
        run(overlay, "qemu-img create (overlay)", SHORT, "qemu-img", "create", "-q", "-f", "qcow2", "-F", backingFormat,
                "-b", backingUri, overlay.toString());
    }

    /** As {@link #createOverlay(Path, String, String)} with an explicit size: the backing is not opened ({@code -u}). */
    public static void createOverlay(Path overlay, String backingUri, String backingFormat, long size) {
        run(overlay, "qemu-img create (overlay)", SHORT, "qemu-img", "create", "-q", "-u", "-f", "qcow2", "-F",
                backingFormat, "-b", backingUri, overlay.toString(), Long.toString(size));
    }

    /** {@code qemu-img info -U --output=json FILE} (works on images a running QEMU holds open). */
    public static ImageInfo info(Path file) {
        Command.Result r = run(file, "qemu-img info", SHORT, "qemu-img", "info", "-U", "--output=json", file.toString());
        Object j = Json.parse(r.stdout());
        List<ImageInfo.Bitmap> bitmaps = new ArrayList<>();
        Map<String, Object> data = Json.obj(Json.obj(j, "format-specific"), "data");
        for (Object b : Json.list(data, "bitmaps")) {
            List<String> flags = new ArrayList<>();
            for (Object f : Json.list(b, "flags")) flags.add(f.toString());
            bitmaps.add(new ImageInfo.Bitmap(Json.str(b, "name"), Json.num(b, "granularity", 0), flags));
        }
        return new ImageInfo(Json.str(j, "format"), Json.num(j, "virtual-size", 0), Json.num(j, "actual-size", 0),
                Json.str(j, "backing-filename"), Json.str(j, "backing-filename-format"), bitmaps);
    }

    /** {@code qemu-img convert -f SRCFMT -O DSTFMT SRC DST} (sparse output; SRC may be a path or an NBD URI). */
    public static void convert(String source, String sourceFormat, Path target, String targetFormat) {
        run(target, "qemu-img convert", LONG, "qemu-img", "convert", "-f", sourceFormat, "-O", targetFormat,
                source, target.toString());
    }

    public static void convert(Path source, String sourceFormat, Path target, String targetFormat) {
        convert(source.toString(), sourceFormat, target, targetFormat);
    }

    /**
     * Adds an enabled persistent dirty bitmap to a qcow2 image that no QEMU has open
     * ({@code qemu-img bitmap --add --enable}). The offline counterpart of a checkpoint's bitmap.
     */
    public static void addBitmap(Path image, String name) {
        run(image, "qemu-img bitmap --add", SHORT, "qemu-img", "bitmap", "--add", "--enable", "-f", "qcow2",
                image.toString(), name);
    }

    /** Merges bitmap {@code source} into bitmap {@code target} of the same qcow2 image (no QEMU may have it open). */
    public static void mergeBitmap(Path image, String source, String target) {
        run(image, "qemu-img bitmap --merge", SHORT, "qemu-img", "bitmap", "--merge", source, "-f", "qcow2",
                image.toString(), target);
    }

    /** Removes a persistent dirty bitmap from a qcow2 image that no QEMU has open. */
    public static void removeBitmap(Path image, String name) {
        run(image, "qemu-img bitmap --remove", SHORT, "qemu-img", "bitmap", "--remove", "-f", "qcow2",
                image.toString(), name);
    }

    private static Command.Result run(Path file, String op, Duration timeout, String... argv) {
        String object = "image " + file;
        Command.Result r = Command.run(List.of(argv), timeout, object, null);
        if (!r.ok()) throw new HypervisorException(object, op, r.error(), hint(r.error()));
        return r;
    }

    static String hint(String err) {
        if (err.contains("Failed to get") && err.contains("lock"))
            return "a running QEMU holds the image; use the domain's backup export instead, or stop it";
        if (err.contains("No such file")) return "check the path";
        if (err.contains("Permission denied")) return "check file ownership and permissions";
        if (err.contains("Could not open")) return "is the image (or its backing file / NBD export) reachable?";
        return "run the qemu-img command by hand to see more";
    }
}
