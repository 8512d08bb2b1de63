package io.ferry.lab;

import io.ferry.hypervisor.DomainState;
import io.ferry.hypervisor.HypervisorException;
import io.ferry.hypervisor.ImageInfo;
import io.ferry.hypervisor.Libvirt;
import io.ferry.hypervisor.QemuImg;
import io.ferry.hypervisor.UnknownDomainException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A running lab VM: a TCG libvirt domain ({@code <domain type='qemu'>}) booting the lab kernel and
 * initramfs directly, with the workload configured on the kernel command line, a qcow2 disk in
 * {@link #IMAGE_DIR} and its serial console written to a file in {@link #CONSOLE_DIR}. Its name is
 * {@code <prefix>-<random>}. {@link #close()} destroys and undefines it (with checkpoint
 * metadata) and deletes every file it created.
 */
public final class LabVm implements AutoCloseable {
    public static final Path IMAGE_DIR = Path.of("/var/lib/libvirt/images/ferry-lab");
    public static final Path CONSOLE_DIR = Path.of("/var/lib/libvirt/qemu/ferry-lab");
    private static final Path QEMU_LOG_DIR = Path.of("/var/log/libvirt/qemu");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Libvirt libvirt;
    private final String name;
    private final GuestArtifacts guest;
    private final Map<String, Path> disks = new LinkedHashMap<>();
    private final List<Path> ownedFiles = new ArrayList<>();
    private final Path console;
    private LabVmSpec spec;
    private String uuid;
    private boolean closed;

    private LabVm(Libvirt libvirt, String name, GuestArtifacts guest, LabVmSpec spec) {
        this.libvirt = libvirt;
        this.name = name;
        this.guest = guest;
        this.spec = spec;
        this.console = CONSOLE_DIR.resolve(name + ".console");
    }

    /** Builds the guest if needed, creates the disks, defines and starts the domain. */
    public static LabVm create(Libvirt lv, LabVmSpec spec) {
        GuestArtifacts guest = GuestImage.ensureBuilt();
        String name = spec.namePrefix() + "-" + HexFormat.of().formatHex(randomBytes(4));
        LabVm vm = new LabVm(lv, name, guest, spec);
        try {
            vm.prepareDisks();
            lv.define(vm.domainXml());
            vm.ownedFiles.add(vm.console);
            vm.ownedFiles.add(QEMU_LOG_DIR.resolve(name + ".log"));
            lv.start(name);
            return vm;
        } catch (RuntimeException e) {
            try {
                vm.close();
            } catch (RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    private void prepareDisks() {
        ensureDir(IMAGE_DIR, false);
        ensureDir(CONSOLE_DIR, true);
        if (spec.diskXml() == null) {
            if (spec.existingDisk() != null) {
                disks.put("vda", spec.existingDisk().toAbsolutePath());
            } else {
                Path vda = IMAGE_DIR.resolve(name + "-vda.qcow2");
                ownedFiles.add(vda);
                QemuImg.create(vda, "qcow2", spec.diskSize());
                disks.put("vda", vda);
            }
        }
        char letter = 'b';
        for (LabVmSpec.ExtraDisk d : spec.extraDisks()) {
            String target = "vd" + letter++;
            Path img = IMAGE_DIR.resolve(name + "-" + target + ".qcow2");
            ownedFiles.add(img);
            if (d.prefillLength() == 0) {
                QemuImg.create(img, "qcow2", d.size());
            } else {
                Path raw = IMAGE_DIR.resolve(name + "-" + target + ".prefill.raw");
                try {
                    writePrefill(raw, d);
                    QemuImg.convert(raw, "raw", img, "qcow2");
                } finally {
                    deleteQuietly(raw);
                }
            }
            disks.put(target, img);
        }
    }

    private static void writePrefill(Path raw, LabVmSpec.ExtraDisk d) {
        try (FileChannel ch = FileChannel.open(raw, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            SplittableRandom rnd = new SplittableRandom(d.seed());
            byte[] chunk = new byte[1 << 20]; // a multiple of 8: same byte stream as one nextBytes call
            long done = 0;
            while (done < d.prefillLength()) {
                int n = (int) Math.min(chunk.length, d.prefillLength() - done);
                byte[] b = n == chunk.length ? chunk : new byte[n];
                rnd.nextBytes(b);
                ByteBuffer buf = ByteBuffer.wrap(b);
                while (buf.hasRemaining()) ch.write(buf, d.prefillOffset() + done + buf.position());
                done += n;
            }
            ch.truncate(d.size());
            if (ch.size() < d.size()) ch.write(ByteBuffer.allocate(1), d.size() - 1); // extend sparsely
        } catch (IOException e) {
            throw new UncheckedIOException("prefill " + raw + ": " + e.getMessage(), e);
        }
    }

    /** The libvirt domain XML of this VM. */
    String domainXml() {
        StringBuilder x = new StringBuilder();
        x.append("<domain type='qemu'>\n");
        x.append("  <name>").append(name).append("</name>\n");
        if (uuid != null) x.append("  <uuid>").append(uuid).append("</uuid>\n");
        x.append("  <memory unit='MiB'>").append(spec.memoryMiB()).append("</memory>\n");
        x.append("  <vcpu>").append(spec.vcpus()).append("</vcpu>\n");
        x.append("  <os>\n    <type arch='x86_64' machine='pc'>hvm</type>\n");
        x.append("    <kernel>").append(esc(guest.kernel().toString())).append("</kernel>\n");
        x.append("    <initrd>").append(esc(guest.initrd().toString())).append("</initrd>\n");
        x.append("    <cmdline>").append(esc(cmdline())).append("</cmdline>\n  </os>\n");
        x.append("  <features><acpi/></features>\n  <clock offset='utc'/>\n");
        x.append("  <on_poweroff>destroy</on_poweroff>\n  <on_reboot>destroy</on_reboot>\n");
        x.append("  <on_crash>destroy</on_crash>\n  <devices>\n");
        if (spec.diskXml() != null) {
            x.append(spec.diskXml()).append('\n');
        }
        for (Map.Entry<String, Path> d : disks.entrySet()) {
            x.append(diskElement(d.getKey(), d.getValue()));
        }
        if (spec.network() != null) {
            x.append("    <interface type='network'><source network='").append(esc(spec.network()))
                    .append("'/><model type='virtio'/></interface>\n");
        }
        x.append("    <serial type='file'><source path='").append(esc(console.toString()))
                .append("'/><target port='0'/></serial>\n");
        x.append("    <memballoon model='none'/>\n  </devices>\n</domain>\n");
        return x.toString();
    }

    private static String diskElement(String target, Path image) {
        ImageInfo info = QemuImg.info(image);
        StringBuilder x = new StringBuilder();
        x.append("    <disk type='file' device='disk'>\n");
        x.append("      <driver name='qemu' type='").append(info.format()).append("'/>\n");
        x.append("      <source file='").append(esc(image.toString())).append("'/>\n");
        String backing = info.backingFile();
        if (backing != null && backing.startsWith("nbd")) {
            x.append(io.ferry.hypervisor.RecoveryDomainXml.nbdBackingStore(backing, info.backingFormat()));
        }
        x.append("      <target dev='").append(target).append("' bus='virtio'/>\n");
        x.append("    </disk>\n");
        return x.toString();
    }

    private String cmdline() {
        String c = "console=ttyS0 quiet panic=-1 ferry.mode=" + spec.mode().cmdline() + " ferry.rate=" + spec.rate()
                + " ferry.max=" + spec.max() + " ferry.disk=/dev/vda";
        if (spec.ignoreAcpi()) c += " ferry.acpi=ignore";
        return spec.extraCmdline().isBlank() ? c : c + " " + spec.extraCmdline().strip();
    }

    // ------------------------------------------------------------------ use

    public String name() { return name; }

    public LabVmSpec spec() { return spec; }

    public Libvirt libvirt() { return libvirt; }

    /** The image behind a disk target ({@code vda}, {@code vdb}, ...). */
    public Path disk(String target) {
        Path p = disks.get(target);
        if (p == null) {
            throw new IllegalArgumentException(name + " has no disk " + target + " (disks: " + disks.keySet() + ")");
        }
        return p;
    }

    public Path consoleFile() { return console; }

    /** Everything the guest printed on its serial console so far. */
    public String consoleText() {
        try {
            return Files.exists(console) ? Files.readString(console, StandardCharsets.ISO_8859_1) : "";
        } catch (IOException e) {
            throw new UncheckedIOException("read console of " + name + " (" + console + ")", e);
        }
    }

    /**
     * Waits until the console text matches {@code p} (first match, from the start of this boot's
     * console) and returns the matcher. Fails fast if the domain stops; on timeout the error
     * shows the console tail.
     */
    public Matcher waitForConsole(Pattern p, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long nextStateCheck = 0;
        while (true) {
            Matcher m = p.matcher(consoleText());
            if (m.find()) return m;
            long now = System.nanoTime();
            if (now > deadline) {
                throw new LabVmException(name + ": console did not show /" + p + "/ within " + timeout.toSeconds()
                        + " s (state " + stateQuietly() + "); console tail:\n" + tail());
            }
            if (now > nextStateCheck) {
                DomainState s = stateQuietly();
                if (s != null && !s.active()) {
                    m = p.matcher(consoleText());
                    if (m.find()) return m;
                    throw new LabVmException(name + ": domain is " + s + " while waiting for /" + p
                            + "/ (see " + QEMU_LOG_DIR.resolve(name + ".log") + "); console tail:\n" + tail());
                }
                nextStateCheck = now + 1_000_000_000L;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LabVmException(name + ": interrupted while waiting for /" + p + "/");
            }
        }
    }

    private String tail() {
        String t = consoleText();
        String[] lines = t.split("\n");
        int from = Math.max(0, lines.length - 20);
        return String.join("\n", java.util.Arrays.asList(lines).subList(from, lines.length));
    }

    private DomainState stateQuietly() {
        try {
            return libvirt.state(name);
        } catch (HypervisorException e) {
            return null;
        }
    }

    public DomainState state() { return libvirt.state(name); }

    public void pause() { libvirt.suspend(name); }

    public void resume() { libvirt.resume(name); }

    /** Hard power-off; the domain stays defined and its disks stay. */
    public void destroy() {
        if (stateQuietly() != null && stateQuietly().active()) libvirt.destroy(name);
    }

    /**
     * Presses the ACPI power button ({@code virsh shutdown}) and waits until the domain is shut off:
     * the guest stops the workload after its current record, syncs, prints
     * {@code FERRY-SHUTDOWN records=<n>} and powers off (unless {@link LabVmSpec#ignoreAcpi()}). A
     * press before the guest's {@code FERRY-VERIFY} line (acpid not yet listening) is lost.
     *
     * @return true if the domain was shut off within {@code timeout}, false if not
     */
    public boolean shutdownAndWait(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        libvirt.shutdown(name);
        while (true) {
            DomainState s = stateQuietly();
            if (s == DomainState.SHUTOFF) return true;
            if (System.nanoTime() > deadline) return false;
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LabVmException(name + ": interrupted while waiting for shut off");
            }
        }
    }

    /**
     * Powers off (if running) and boots the same disks again with another workload mode; the
     * console file starts empty.
     */
    public void restart(LabVmSpec.Mode mode) {
        destroy();
        if (uuid == null) uuid = libvirt.domain(name).uuid();
        spec = spec.toBuilder().mode(mode).build();
        libvirt.define(domainXml());
        deleteQuietly(console);
        libvirt.start(name);
    }

    /** Destroys and undefines the domain (with checkpoint metadata) and deletes the files it created. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        RuntimeException first = null;
        try {
            destroy();
        } catch (UnknownDomainException gone) {
            // never defined or already gone
        } catch (RuntimeException e) {
            first = e;
        }
        try {
            libvirt.undefine(name);
        } catch (UnknownDomainException gone) {
            // never defined or already gone
        } catch (RuntimeException e) {
            if (first == null) first = e; else first.addSuppressed(e);
        }
        ownedFiles.forEach(LabVm::deleteQuietly);
        if (first != null) throw first;
    }

    @Override
    public String toString() {
        return "LabVm[" + name + " " + spec.mode() + "]";
    }

    // -------------------------------------------------------------- helpers

    /**
     * Lets QEMU (user libvirt-qemu) connect to a unix socket Ferry or qemu-nbd created as root, e.g.
     * the NBD export behind an overlay: changes the socket's owner to libvirt-qemu. The directory
     * must be reachable by libvirt-qemu too (e.g. /var/lib/libvirt/qemu/ferry).
     */
    public static void shareWithQemu(Path socket) {
        try {
            Files.setOwner(socket, socket.getFileSystem().getUserPrincipalLookupService()
                    .lookupPrincipalByName("libvirt-qemu"));
        } catch (IOException e) {
            throw new UncheckedIOException("give libvirt-qemu access to " + socket + ": " + e.getMessage()
                    + " (hint: needs root)", e);
        }
    }

    private static void ensureDir(Path dir, boolean qemuWritable) {
        try {
            Files.createDirectories(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            if (qemuWritable) {
                try {
                    Files.setOwner(dir, dir.getFileSystem().getUserPrincipalLookupService()
                            .lookupPrincipalByName("libvirt-qemu"));
                } catch (UserPrincipalNotFoundException e) {
                    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("create " + dir + " for lab VMs: " + e.getMessage()
                    + " (hint: lab VMs need root)", e);
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // best effort
        }
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("'", "&apos;");
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }
}
