package io.ferry.lab;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * Builds the lab guest: the installed Debian kernel plus an initramfs (cpio newc, gzip) with
 * busybox-static, the kernel's virtio, ACPI button and evdev modules, {@code /init} and the
 * workload compiled with {@code gcc -O2 -static}. The result is cached in
 * {@code /var/lib/ferry/lab-cache/<hash of all inputs>/} (env {@code FERRY_LAB_CACHE} overrides the
 * root), built once: in a temporary directory next to it, then renamed into place, so concurrent
 * builders (threads or JVMs) are safe.
 */
public final class GuestImage {
    /** Default cache root. */
    public static final Path DEFAULT_CACHE = Path.of("/var/lib/ferry/lab-cache");
    /**
     * Modules in load order (init.sh has the same list; those missing from the kernel, e.g. built in,
     * are skipped): virtio for disk and NIC, then the ACPI power button and evdev for acpid.
     */
    static final List<String> MODULES = List.of("virtio_ring", "virtio", "virtio_pci_modern_dev",
            "virtio_pci_legacy_dev", "virtio_pci", "virtio_blk", "failover", "net_failover", "virtio_net",
            "button", "evdev");
    private static final String BUILDER_VERSION = "1";
    private static final Path[] BUSYBOX_CANDIDATES = {Path.of("/bin/busybox"), Path.of("/usr/bin/busybox")};

    private GuestImage() {}

    /** Builds (once) and returns the guest in the cache root from env FERRY_LAB_CACHE or the default. */
    public static GuestArtifacts ensureBuilt() {
        String env = System.getenv("FERRY_LAB_CACHE");
        return ensureBuilt(env == null || env.isBlank() ? DEFAULT_CACHE : Path.of(env));
    }

    /** Builds (once) and returns the guest in {@code cacheRoot}. */
    public static GuestArtifacts ensureBuilt(Path cacheRoot) {
        try {
            Inputs in = Inputs.find();
            Path dir = cacheRoot.resolve(in.hash());
            GuestArtifacts done = artifacts(dir);
            if (Files.isRegularFile(done.kernel()) && Files.isRegularFile(done.initrd())) return done;
            createReadableDirs(cacheRoot);
            Path tmp = Files.createTempDirectory(cacheRoot, ".build-");
            try {
                build(in, tmp);
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x"));
                try {
                    Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
                } catch (FileAlreadyExistsException | DirectoryNotEmptyException otherBuilderWon) {
                    // another thread or JVM finished first; its result is identical
                }
            } finally {
                deleteTree(tmp);
            }
            return done;
        } catch (IOException e) {
            throw new UncheckedIOException("build the lab guest in " + cacheRoot + ": " + e.getMessage()
                    + " (hint: needs root or a writable FERRY_LAB_CACHE; run scripts/install-deps.sh for "
                    + "linux-image-amd64, busybox-static, gcc)", e);
        }
    }

    private static GuestArtifacts artifacts(Path dir) {
        return new GuestArtifacts(dir.resolve("vmlinuz"), dir.resolve("initrd.img"));
    }

    /** Everything the build reads; the cache key is a hash over all of it. */
    record Inputs(String kernelVersion, Path kernel, Map<String, Path> modules, Path busybox, byte[] workloadC,
                  byte[] init) {
        static Inputs find() throws IOException {
            String version = GuestImage.kernelVersion();
            Path kernel = Path.of("/boot/vmlinuz-" + version);
            Path modDir = Path.of("/lib/modules", version);
            Map<String, Path> modules = new LinkedHashMap<>();
            List<Path> all;
            try (Stream<Path> s = Files.walk(modDir.resolve("kernel"))) {
                all = s.filter(Files::isRegularFile).toList();
            }
            for (String m : MODULES) {
                all.stream().filter(p -> moduleName(p).equals(m)).findFirst().ifPresent(p -> modules.put(m, p));
            }
            for (String required : List.of("virtio_pci", "virtio_blk")) {
                if (!modules.containsKey(required) && !builtIn(modDir, required)) {
                    throw new IOException("module " + required + " not found under " + modDir);
                }
            }
            Path busybox = null;
            for (Path p : BUSYBOX_CANDIDATES) if (busybox == null && Files.isRegularFile(p)) busybox = p;
            if (busybox == null) throw new IOException("busybox not found (install busybox-static)");
            return new Inputs(version, kernel, modules, busybox, resource("workload.c"), resource("init.sh"));
        }

        String hash() throws IOException {
            try {
                MessageDigest md = MessageDigest.getInstance("SHA-256");
                md.update(("ferry-lab-guest " + BUILDER_VERSION + " " + kernelVersion + "\n").getBytes(StandardCharsets.UTF_8));
                md.update(Files.readAllBytes(kernel));
                for (var e : modules.entrySet()) {
                    md.update(e.getKey().getBytes(StandardCharsets.UTF_8));
                    md.update(Files.readAllBytes(e.getValue()));
                }
                md.update(Files.readAllBytes(busybox));
                md.update(workloadC);
                md.update(init);
                return HexFormat.of().formatHex(md.digest(), 0, 12);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /**
     * The newest kernel in /boot that has a module directory (not {@code uname -r}: in a container
     * that is the host's kernel).
     */
    static String kernelVersion() throws IOException {
        List<String> versions = new ArrayList<>();
        try (Stream<Path> s = Files.list(Path.of("/boot"))) {
            s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("vmlinuz-"))
                    .map(n -> n.substring("vmlinuz-".length()))
                    .filter(v -> Files.isDirectory(Path.of("/lib/modules", v, "kernel")))
                    .forEach(versions::add);
        }
        if (versions.isEmpty()) {
            throw new IOException("no /boot/vmlinuz-* with matching /lib/modules/<version> (install linux-image-amd64)");
        }
        versions.sort(GuestImage::compareVersions);
        return versions.get(versions.size() - 1);
    }

    static int compareVersions(String a, String b) {
        String[] x = a.split("[.-]");
        String[] y = b.split("[.-]");
        for (int i = 0; i < Math.min(x.length, y.length); i++) {
            int c = (x[i].matches("\\d+") && y[i].matches("\\d+"))
                    ? Long.compare(Long.parseLong(x[i]), Long.parseLong(y[i])) : x[i].compareTo(y[i]);
            if (c != 0) return c;
        }
        return Integer.compare(x.length, y.length);
    }

    private static String moduleName(Path p) {
        String n = p.getFileName().toString();
        int i = n.indexOf(".ko");
        return i < 0 ? "" : n.substring(0, i);
    }

    private static boolean builtIn(Path modDir, String module) throws IOException {
        Path f = modDir.resolve("modules.builtin");
        return Files.isRegularFile(f) && Files.readString(f).contains("/" + module + ".ko");
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = GuestImage.class.getResourceAsStream(name)) {
            if (in == null) throw new IOException("resource io/ferry/lab/" + name + " missing from the jar");
            return in.readAllBytes();
        }
    }

    private static void build(Inputs in, Path dir) throws IOException {
        Path src = dir.resolve("workload.c");
        Files.write(src, in.workloadC());
        Path bin = dir.resolve("workload");
        run(List.of("gcc", "-O2", "-static", "-o", bin.toString(), src.toString()), "compile the workload");
        Files.copy(in.kernel(), dir.resolve("vmlinuz"));
        Path initrd = dir.resolve("initrd.img");
        try (Cpio cpio = new Cpio(new GZIPOutputStream(Files.newOutputStream(initrd), 1 << 16))) {
            for (String d : List.of("bin", "sbin", "dev", "proc", "sys", "tmp", "lib", "lib/modules", "usr",
                    "usr/bin", "usr/sbin", "mnt")) {
                cpio.dir(d);
            }
            cpio.charDevice("dev/console", 0600, 5, 1);
            cpio.charDevice("dev/null", 0666, 1, 3);
            cpio.file("bin/busybox", 0755, Files.readAllBytes(in.busybox()));
            cpio.symlink("bin/sh", "busybox");
            cpio.file("init", 0755, in.init());
            cpio.file("workload", 0755, Files.readAllBytes(bin));
            for (var e : in.modules().entrySet()) {
                cpio.file("lib/modules/" + e.getKey() + ".ko", 0644, moduleBytes(e.getValue()));
            }
        }
        Files.delete(src);
        Files.delete(bin);
        for (Path f : List.of(dir.resolve("vmlinuz"), initrd)) {
            Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
        }
    }

    /** The module, decompressed: busybox insmod in the guest wants a plain .ko. */
    static byte[] moduleBytes(Path ko) throws IOException {
        String n = ko.getFileName().toString();
        if (n.endsWith(".ko")) return Files.readAllBytes(ko);
        if (n.endsWith(".ko.gz")) {
            try (InputStream z = new GZIPInputStream(Files.newInputStream(ko))) {
                return z.readAllBytes();
            }
        }
        if (n.endsWith(".ko.xz")) return capture(List.of("xz", "-dc", ko.toString()), List.of("busybox", "xzcat", ko.toString()));
        if (n.endsWith(".ko.zst")) return capture(List.of("zstd", "-dc", ko.toString()), null);
        throw new IOException("unknown module compression: " + ko);
    }

    private static byte[] capture(List<String> argv, List<String> fallback) throws IOException {
        try {
            return runCapture(argv);
        } catch (IOException e) {
            if (fallback == null) throw e;
            return runCapture(fallback);
        }
    }

    private static byte[] runCapture(List<String> argv) throws IOException {
        Process p = new ProcessBuilder(argv).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        p.getInputStream().transferTo(bos);
        try {
            if (p.waitFor() != 0) throw new IOException(String.join(" ", argv) + " exited " + p.exitValue());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        return bos.toByteArray();
    }

    private static void run(List<String> argv, String what) throws IOException {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(300, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IOException(what + " failed (" + String.join(" ", argv) + "): " + out.strip());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + what, e);
        }
    }

    private static void createReadableDirs(Path dir) throws IOException {
        Path abs = dir.toAbsolutePath();
        List<Path> missing = new ArrayList<>();
        for (Path p = abs; p != null && !Files.exists(p); p = p.getParent()) missing.add(p);
        Files.createDirectories(abs);
        for (Path p : missing) {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    static void deleteTree(Path root) {
        if (!Files.exists(root)) return;
        try (Stream<Path> s = Files.walk(root)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort
                }
            });
        } catch (IOException ignored) {
            // best effort
        }
    }
}
