package io.ferry.hypervisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Deque;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;

/**
 * Real libvirt: isolated networks, recovery copies defined from {@link RecoveryDomainXml} output of
 * a real {@code inactiveXml}, a block pull from a {@code qemu-nbd} export, ACPI shutdown. The
 * source domain is "blank" like in {@link LibvirtTest} (SeaBIOS idles); the shutdown test boots the
 * installed Debian kernel with a tiny busybox initramfs that powers off on the ACPI power button.
 * Everything created is registered for cleanup first, so it goes also when a test fails.
 */
class RecoveryLibvirtTest {
    static final Path DIR = LibvirtTest.DIR;
    static final String URI = "qemu:///system";
    static final long BASE_SIZE = 16L << 20;

    final Libvirt lv = Libvirt.system();
    final Deque<Step> cleanups = new ArrayDeque<>();
    String tag;
    String source;
    Path sourceDisk;
    Path consoleDir;

    interface Step {
        void run() throws Exception;
    }

    @BeforeEach
    void setUp() {
        assumeFalse(Boolean.getBoolean("ferry.skipVmTests"), "VM tests skipped");
        tag = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
        source = "ferry-lab-hv-" + tag;
        consoleDir = Path.of("/var/lib/libvirt/qemu/ferry-lab-hv-" + tag);
        onCleanup(() -> deleteTree(consoleDir));
        Libvirt.ensureQemuDir(consoleDir);
        try {
            Files.createDirectories(DIR);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @AfterEach
    void cleanUp() throws Exception {
        Exception first = null;
        while (!cleanups.isEmpty()) {
            try {
                cleanups.pop().run();
            } catch (Exception e) {
                if (first == null) first = e; else first.addSuppressed(e);
            }
        }
        if (first != null) throw first;
    }

    void onCleanup(Step s) {
        cleanups.push(s);
    }

    /** Registers the domain for removal, then defines it. */
    String define(String name, String xml) {
        onCleanup(() -> removeDomain(name));
        return lv.define(xml);
    }

    void removeDomain(String name) throws IOException {
        if (lv.exists(name)) {
            if (lv.state(name).active()) lv.destroy(name);
            lv.undefine(name);
        }
        Files.deleteIfExists(Path.of("/var/log/libvirt/qemu", name + ".log"));
    }

    Path file(String suffix) {
        Path f = DIR.resolve(source + suffix);
        onCleanup(() -> Files.deleteIfExists(f));
        return f;
    }

    /** A blank source domain: qcow2 disk, empty CD-ROM, file serial, a NIC on {@code net} and one on a bridge. */
    void defineSource(String net) {
        sourceDisk = file("-vda.qcow2");
        QemuImg.create(sourceDisk, "qcow2", 64L << 20);
        define(source, """
                <domain type='qemu'><name>%s</name><memory unit='MiB'>64</memory><vcpu>1</vcpu>
                  <os><type arch='x86_64' machine='pc'>hvm</type></os>
                  <features><acpi/></features>
                  <on_poweroff>destroy</on_poweroff>
                  <devices>
                    <disk type='file' device='disk'><driver name='qemu' type='qcow2'/>
                      <source file='%s'/><target dev='vda' bus='virtio'/></disk>
                    <disk type='file' device='cdrom'><driver name='qemu' type='raw'/>
                      <target dev='hdc' bus='ide'/><readonly/></disk>
                    <interface type='network'><source network='%s'/><model type='virtio'/></interface>
                    <interface type='bridge'><source bridge='ferry-nobr0'/><model type='virtio'/></interface>
                    <serial type='file'><source path='%s'/><target port='0'/></serial>
                    <memballoon model='none'/>
                  </devices>
                </domain>""".formatted(source, sourceDisk, net, consoleDir.resolve(source + ".console")));
    }

    String network(String suffix) {
        String n = "ferry-hv-" + tag + suffix;
        onCleanup(() -> lv.removeNetwork(n));
        return n;
    }

    @Test
    void isolatedNetworkIsCreatedListedAndRemoved() throws Exception {
        String net = network("");
        assertThat(lv.networkExists(net)).isFalse();
        lv.createIsolatedNetwork(net);
        assertThat(lv.networkExists(net)).isTrue();
        assertThat(virsh("net-list", "--name").lines().map(String::strip)).contains(net); // active
        Element x = Xml.parse(virsh("net-dumpxml", net), net, "test");
        assertThat(Xml.child(x, "forward")).isNull();
        assertThat(Xml.child(x, "ip")).isNull();
        String bridge = Xml.attr(Xml.child(x, "bridge"), "name");
        assertThat(bridge).isNotBlank().hasSizeLessThanOrEqualTo(15);
        assertThat(Path.of("/sys/class/net", bridge, "bridge")).exists();
        assertThat(virsh("net-info", net)).containsPattern("Autostart:\\s+no").containsPattern("Active:\\s+yes");

        lv.createIsolatedNetwork(net); // idempotent
        virsh("net-destroy", net);
        lv.createIsolatedNetwork(net); // an inactive one is started
        assertThat(virsh("net-list", "--name").lines().map(String::strip)).contains(net);

        lv.removeNetwork(net);
        assertThat(lv.networkExists(net)).isFalse();
        assertThat(virsh("net-list", "--all", "--name").lines().map(String::strip)).doesNotContain(net);
        assertThat(Path.of("/sys/class/net", bridge)).doesNotExist();
        lv.removeNetwork(net); // absent: no error

        if (lv.networkExists("default")) { // a NAT network is not isolated, and is left alone
            boolean wasActive = virsh("net-list", "--name").lines().map(String::strip).anyMatch("default"::equals);
            assertThatThrownBy(() -> lv.createIsolatedNetwork("default"))
                    .isInstanceOf(HypervisorException.class).hasMessageContaining("network 'default'")
                    .hasMessageContaining("forward");
            assertThat(virsh("net-list", "--name").lines().map(String::strip).anyMatch("default"::equals))
                    .isEqualTo(wasActive);
        }
    }

    @Test
    void rewrittenInactiveXmlDefinesAndRunsUnderANewNameAndUuid() throws Exception {
        String srcNet = network("-src");
        String dstNet = network("-dst");
        defineSource(srcNet);
        DomainInfo src = lv.domain(source);
        List<NicInfo> srcNics = lv.interfaces(source);
        assertThat(lv.exists(source)).isTrue();
        assertThat(lv.exists(src.uuid())).isTrue();
        assertThat(lv.exists(source + "-nope")).isFalse();
        String xml = lv.inactiveXml(source);
        assertThat(xml).contains("<name>" + source + "</name>").doesNotContain("<domain type='qemu' id=");

        // copy 1: new uuid from libvirt, new MACs, network mapped, bridge NIC kept
        String copy = source + "-c1";
        Path overlay = file("-c1-vda.qcow2");
        QemuImg.create(overlay, "qcow2", 64L << 20);
        String out = RecoveryDomainXml.rewrite(xml, new RecoveryDomainXml.Options(copy, null,
                Map.of("vda", new RecoveryDomainXml.DiskSource(overlay, null, null)), Map.of(srcNet, dstNet), null,
                false, consoleDir));
        assertThat(define(copy, out)).isEqualTo(copy);
        assertThat(lv.exists(copy)).isTrue();
        DomainInfo c = lv.domain(copy);
        assertThat(c.uuid()).hasSize(36).isNotEqualTo(src.uuid());
        assertThat(c.disks()).containsExactly(new DiskInfo("vda", overlay, "qcow2", 64L << 20));
        List<NicInfo> nics = lv.interfaces(copy);
        assertThat(nics).extracting(NicInfo::type, NicInfo::source)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("network", dstNet),
                        org.assertj.core.groups.Tuple.tuple("bridge", "ferry-nobr0"));
        assertThat(nics.get(0).mac()).isNotNull().isNotEqualTo(srcNics.get(0).mac());
        assertThat(nics.get(1).mac()).isNotNull().isNotEqualTo(srcNics.get(1).mac());
        String copyXml = lv.inactiveXml(copy);
        assertThat(copyXml).doesNotContain("cdrom").doesNotContain(sourceDisk.toString())
                .contains("<source path='" + consoleDir.resolve(copy + ".log") + "'/>");
        assertThat(lv.domain(source).disks()).extracting(DiskInfo::source).containsExactly(sourceDisk); // untouched

        // copy 2: a given uuid, same MACs, every NIC on an isolated network; it runs there
        String copy2 = source + "-c2";
        String uuid = java.util.UUID.randomUUID().toString();
        Path overlay2 = file("-c2-vda.qcow2");
        QemuImg.create(overlay2, "qcow2", 64L << 20);
        lv.createIsolatedNetwork(dstNet);
        define(copy2, RecoveryDomainXml.rewrite(xml, new RecoveryDomainXml.Options(copy2, uuid,
                Map.of("vda", new RecoveryDomainXml.DiskSource(overlay2, null, null)), null, dstNet, true, consoleDir)));
        assertThat(lv.domain(copy2).uuid()).isEqualTo(uuid);
        assertThat(lv.interfaces(copy2)).extracting(NicInfo::type, NicInfo::source, NicInfo::mac).containsExactly(
                org.assertj.core.groups.Tuple.tuple("network", dstNet, srcNics.get(0).mac()),
                org.assertj.core.groups.Tuple.tuple("network", dstNet, srcNics.get(1).mac()));
        lv.start(copy2);
        assertThat(lv.state(copy2)).isEqualTo(DomainState.RUNNING);
        assertThat(Files.exists(consoleDir.resolve(copy2 + ".log"))).isTrue();
        assertThat(consoleDir.resolve(source + ".console")).doesNotExist();

        // SeaBIOS ignores the ACPI power button: no shutdown, and it is not destroyed
        long t0 = System.nanoTime();
        assertThat(lv.shutdownAndWait(copy2, Duration.ofSeconds(3))).isFalse();
        assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(Duration.ofSeconds(3).toNanos());
        assertThat(lv.state(copy2)).isEqualTo(DomainState.RUNNING);
        lv.destroy(copy2);
        assertThat(lv.shutdownAndWait(copy2, Duration.ofSeconds(3))).isTrue(); // already off
    }

    @Test
    void blockPullMakesAnNbdBackedOverlayStandalone() throws Exception {
        String net = network("");
        lv.createIsolatedNetwork(net);
        defineSource(net);

        // a raw base with known bytes: 0xab in [0, 1M), 0xcd in [5M, 8M), random in [12M, 16M), zeros elsewhere
        Path base = file("-base.raw");
        writeBase(base);

        Libvirt.ensureQemuDir(Libvirt.SOCKET_DIR);
        Path socket = Libvirt.SOCKET_DIR.resolve(source + "-base.sock");
        Process nbd = startQemuNbd(base, socket);
        String uri = "nbd+unix:///vda?socket=" + socket;

        Path overlay = file("-copy-vda.qcow2");
        QemuImg.createOverlay(overlay, uri, "raw");
        assertThat(QemuImg.info(overlay).backingFile()).isEqualTo(uri);

        String copy = source + "-copy";
        define(copy, RecoveryDomainXml.rewrite(lv.inactiveXml(source), new RecoveryDomainXml.Options(copy, null,
                Map.of("vda", new RecoveryDomainXml.DiskSource(overlay, uri, "raw")), null, net, false, consoleDir)));
        assertThat(lv.inactiveXml(copy)).contains("<backingStore type='network'>").contains("name='vda'")
                .contains("socket='" + socket + "'");
        lv.start(copy);
        assertThat(compareLive(copy, overlay, base)).contains("Images are identical"); // read through NBD

        assertThatThrownBy(() -> lv.blockPull(copy, "vdz", Duration.ofSeconds(30)))
                .isInstanceOf(HypervisorException.class).hasMessageContaining("vdz");
        long t0 = System.nanoTime();
        lv.blockPull(copy, "vda", Duration.ofSeconds(120));
        System.out.printf("blockPull of %d MiB took %d ms%n", BASE_SIZE >> 20, (System.nanoTime() - t0) / 1_000_000);
        assertThat(lv.dumpXml(copy)).doesNotContain("<backingStore type='network'");
        assertThat(lv.inactiveXml(copy)).doesNotContain("<backingStore type='network'");
        assertThat(QemuImg.info(overlay).backingFile()).isNull();

        // the export goes away; the running domain reads everything from the overlay
        stop(nbd, socket);
        assertThat(socket).doesNotExist();
        assertThat(lv.state(copy)).isEqualTo(DomainState.RUNNING);
        assertThat(compareLive(copy, overlay, base)).contains("Images are identical");

        // the image alone holds the data (compared offline: a running QEMU caches qcow2 metadata)
        lv.destroy(copy);
        ImageInfo info = QemuImg.info(overlay);
        assertThat(info.backingFile()).isNull();
        assertThat(Sh.run("qemu-img", "compare", "-f", "raw", "-F", "qcow2", base.toString(), overlay.toString()))
                .contains("Images are identical");
        lv.start(copy); // and the persistent definition boots without the export
        assertThat(lv.state(copy)).isEqualTo(DomainState.RUNNING);
    }

    @Test
    void aBlockPullThatTimesOutFailsAndTheDiskKeepsItsBacking() throws Exception {
        String net = network("");
        lv.createIsolatedNetwork(net);
        defineSource(net);
        // a slow export: nbdkit's pattern plugin behind a 300 ms delay per read
        Libvirt.ensureQemuDir(Libvirt.SOCKET_DIR);
        Path socket = Libvirt.SOCKET_DIR.resolve(source + "-slow.sock");
        Process nbd = start(List.of("nbdkit", "--exit-with-parent", "-f", "-U", socket.toString(), "-e", "vda",
                "--filter=delay", "pattern", "size=" + BASE_SIZE, "rdelay=300ms"), socket);
        String uri = "nbd+unix:///vda?socket=" + socket;
        Path overlay = file("-slow-vda.qcow2");
        QemuImg.createOverlay(overlay, uri, "raw", BASE_SIZE);
        String copy = source + "-slow";
        define(copy, RecoveryDomainXml.rewrite(lv.inactiveXml(source), new RecoveryDomainXml.Options(copy, null,
                Map.of("vda", new RecoveryDomainXml.DiskSource(overlay, uri, "raw")), null, net, false, consoleDir)));
        lv.start(copy);

        long t0 = System.nanoTime();
        assertThatThrownBy(() -> lv.blockPull(copy, "vda", Duration.ofSeconds(1)))
                .isInstanceOf(HypervisorException.class).hasMessageContaining("domain '" + copy + "'")
                .hasMessageContaining("job aborted").hasMessageContaining("longer timeout");
        assertThat(System.nanoTime() - t0).isLessThan(Duration.ofSeconds(20).toNanos());
        assertThat(virsh("blockjob", copy, "vda", "--info")).contains("No current block job");
        assertThat(lv.dumpXml(copy)).contains("<backingStore type='network'");
        assertThat(QemuImg.info(overlay).backingFile()).isEqualTo(uri);
        assertThat(lv.state(copy)).isEqualTo(DomainState.RUNNING);
        assertThat(nbd.isAlive()).isTrue();
    }

    @Test
    void shutdownAndWaitPowersOffAGuestThatHonoursAcpi() throws Exception {
        Guest g = Guest.find();
        assumeTrue(g != null, "needs /boot/vmlinuz-* with button.ko and evdev.ko, and busybox-static");
        Path kernel = file("-vmlinuz");
        Files.copy(g.kernel(), kernel);
        Path initrd = file("-initrd.cpio");
        g.buildInitrd(initrd, DIR.resolve(source + "-initrd-root"), this::onCleanup);
        Path srcConsole = consoleDir.resolve(source + ".console");
        define(source, """
                <domain type='qemu'><name>%s</name><memory unit='MiB'>128</memory><vcpu>1</vcpu>
                  <os><type arch='x86_64' machine='pc'>hvm</type><kernel>%s</kernel><initrd>%s</initrd>
                    <cmdline>console=ttyS0 panic=-1 quiet</cmdline></os>
                  <features><acpi/></features>
                  <on_poweroff>destroy</on_poweroff><on_reboot>destroy</on_reboot><on_crash>destroy</on_crash>
                  <devices>
                    <serial type='file'><source path='%s'/><target port='0'/></serial>
                    <console type='file'><source path='%s'/><target type='serial' port='0'/></console>
                    <memballoon model='none'/>
                  </devices>
                </domain>""".formatted(source, kernel, initrd, srcConsole, srcConsole));
        String copy = source + "-copy";
        define(copy, RecoveryDomainXml.rewrite(lv.inactiveXml(source),
                new RecoveryDomainXml.Options(copy, null, Map.of(), null, null, false, consoleDir)));
        lv.start(copy);
        Path console = consoleDir.resolve(copy + ".log");
        waitFor(console, "FERRY-HV-READY", Duration.ofSeconds(120));
        long t0 = System.nanoTime();
        assertThat(lv.shutdownAndWait(copy, Duration.ofSeconds(60))).isTrue();
        System.out.printf("ACPI shutdown took %d ms%n", (System.nanoTime() - t0) / 1_000_000);
        assertThat(lv.state(copy)).isEqualTo(DomainState.SHUTOFF);
        assertThat(Files.readString(console, StandardCharsets.ISO_8859_1)).contains("FERRY-HV-POWERBUTTON");
        assertThat(srcConsole).doesNotExist(); // the copy wrote only to its own console
    }

    // ------------------------------------------------------------------ helpers

    static String virsh(String... args) {
        String[] argv = new String[args.length + 3];
        argv[0] = "virsh";
        argv[1] = "-c";
        argv[2] = URI;
        System.arraycopy(args, 0, argv, 3, args.length);
        return Sh.run(argv);
    }

    static void writeBase(Path base) throws IOException {
        try (FileChannel ch = FileChannel.open(base, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            byte[] a = new byte[1 << 20];
            Arrays.fill(a, (byte) 0xab);
            ch.write(ByteBuffer.wrap(a), 0);
            byte[] b = new byte[3 << 20];
            Arrays.fill(b, (byte) 0xcd);
            ch.write(ByteBuffer.wrap(b), 5L << 20);
            byte[] r = new byte[4 << 20];
            new SplittableRandom(42).nextBytes(r);
            ch.write(ByteBuffer.wrap(r), 12L << 20);
            ch.truncate(BASE_SIZE);
        }
    }

    /** {@code qemu-nbd} serving {@code base} read-only as export {@code vda}, its socket owned by libvirt-qemu. */
    Process startQemuNbd(Path base, Path socket) throws Exception {
        return start(List.of("qemu-nbd", "--read-only", "--persistent", "--shared=8", "-x", "vda", "-f", "raw",
                "-k", socket.toString(), base.toString()), socket);
    }

    /** Starts an NBD server (registered for cleanup), waits for its socket and gives it to libvirt-qemu. */
    Process start(List<String> argv, Path socket) throws Exception {
        Files.deleteIfExists(socket);
        Process p = new ProcessBuilder(argv).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        onCleanup(() -> stop(p, socket));
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (!accepts(socket)) {
            assertThat(p.isAlive()).as("qemu-nbd running").isTrue();
            assertThat(System.nanoTime()).as("qemu-nbd socket up in time").isLessThan(deadline);
            Thread.sleep(20);
        }
        Files.setOwner(socket, socket.getFileSystem().getUserPrincipalLookupService()
                .lookupPrincipalByName(Libvirt.QEMU_USER));
        return p;
    }

    static boolean accepts(Path socket) {
        if (!Files.exists(socket)) return false;
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(socket));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static void stop(Process p, Path socket) throws Exception {
        p.destroy();
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            p.waitFor(5, TimeUnit.SECONDS);
        }
        Files.deleteIfExists(socket);
    }

    /**
     * Compares {@code base} with what the running domain's QEMU reads from {@code image}: QEMU serves
     * the image's qcow2 node over NBD ({@code nbd-server-start} + {@code block-export-add}) for
     * {@code qemu-img compare}; a read that needs a backing which is gone fails.
     */
    String compareLive(String dom, Path image, Path base) throws Exception {
        String node = null;
        for (Object n : Json.list(Json.parse(qmp(dom, "query-named-block-nodes", "{\"flat\":true}")), "return")) {
            if (image.toString().equals(Json.str(n, "file")) && "qcow2".equals(Json.str(n, "drv"))) {
                node = Json.str(n, "node-name");
            }
        }
        assertThat(node).as("qcow2 node of " + image + " in " + dom).isNotNull();
        Path sock = Libvirt.SOCKET_DIR.resolve(source + "-live.sock");
        qmp(dom, "nbd-server-start", "{\"addr\":{\"type\":\"unix\",\"data\":{\"path\":\"" + sock + "\"}}}");
        try {
            qmp(dom, "block-export-add", "{\"type\":\"nbd\",\"id\":\"ferry-test\",\"node-name\":\"" + node
                    + "\",\"name\":\"live\",\"writable\":false}");
            try {
                return Sh.run("qemu-img", "compare", "-f", "raw", "-F", "raw", base.toString(),
                        "nbd+unix:///live?socket=" + sock);
            } finally {
                qmp(dom, "block-export-del", "{\"id\":\"ferry-test\"}");
            }
        } finally {
            qmp(dom, "nbd-server-stop", "{}");
            Files.deleteIfExists(sock);
        }
    }

    String qmp(String dom, String command, String arguments) {
        String reply = lv.qemuMonitorCommand(dom, "{\"execute\":\"" + command + "\",\"arguments\":" + arguments + "}");
        assertThat(reply).as(command).doesNotContain("\"error\"");
        return reply;
    }

    static void waitFor(Path console, String text, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            String s = Files.exists(console) ? Files.readString(console, StandardCharsets.ISO_8859_1) : "";
            if (s.contains(text)) return;
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no '" + text + "' on " + console + " within " + timeout.toSeconds()
                        + " s; console:\n" + s);
            }
            Thread.sleep(100);
        }
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    /** The installed Debian kernel and a busybox initramfs whose /init powers off on the ACPI power button. */
    record Guest(Path kernel, Path button, Path evdev, Path busybox) {
        static final String INIT = """
                #!/bin/busybox sh
                /bin/busybox --install -s /bin
                mount -t proc proc /proc
                mount -t sysfs sysfs /sys
                mount -t devtmpfs devtmpfs /dev
                insmod /lib/evdev.ko
                insmod /lib/button.ko
                sleep 1
                for e in /sys/class/input/event*; do
                  if grep -q "Power Button" "$e/device/name"; then
                    (dd if=/dev/input/${e##*/} of=/dev/null bs=24 count=1 2>/dev/null
                     echo FERRY-HV-POWERBUTTON; poweroff -f) &
                  fi
                done
                sleep 1
                echo FERRY-HV-READY
                while :; do sleep 3600; done
                """;

        static Guest find() throws IOException {
            Path busybox = Path.of("/bin/busybox");
            if (!Files.isExecutable(busybox) || !Files.isDirectory(Path.of("/boot"))) return null;
            try (Stream<Path> s = Files.list(Path.of("/boot"))) {
                for (Path k : s.filter(p -> p.getFileName().toString().startsWith("vmlinuz-")).sorted().toList()) {
                    Path mods = Path.of("/lib/modules", k.getFileName().toString().substring("vmlinuz-".length()), "kernel");
                    Path button = mods.resolve("drivers/acpi/button.ko");
                    Path evdev = mods.resolve("drivers/input/evdev.ko");
                    if (Files.isReadable(k) && Files.isRegularFile(button) && Files.isRegularFile(evdev)) {
                        return new Guest(k, button, evdev, busybox);
                    }
                }
            }
            return null;
        }

        void buildInitrd(Path initrd, Path root, java.util.function.Consumer<Step> onCleanup) throws Exception {
            onCleanup.accept(() -> deleteTree(root));
            for (String d : List.of("bin", "dev", "proc", "sys", "lib", "sbin", "usr/bin", "usr/sbin")) {
                Files.createDirectories(root.resolve(d));
            }
            Files.copy(busybox, root.resolve("bin/busybox"));
            Files.copy(button, root.resolve("lib/button.ko"));
            Files.copy(evdev, root.resolve("lib/evdev.ko"));
            Files.writeString(root.resolve("init"), INIT);
            Sh.run("chmod", "755", root.resolve("init").toString(), root.resolve("bin/busybox").toString());
            Sh.run("mknod", "-m", "600", root.resolve("dev/console").toString(), "c", "5", "1");
            Sh.run("sh", "-c", "cd '" + root + "' && find . | cpio -o -H newc --quiet > '" + initrd + "'");
        }
    }
}
