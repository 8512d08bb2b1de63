package io.ferry.hypervisor;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.w3c.dom.Element;

/**
 * The libvirt driver. Every call runs {@code virsh -c URI ...} with a timeout and speaks libvirt's
 * stable XML; failures become {@link HypervisorException}s naming the domain, the operation,
 * virsh's stderr and a hint.
 *
 * <p>Why virsh and not a Java binding: the libvirt Java binding (0.5.x) has no checkpoint or
 * backup API ({@code virDomainCheckpointCreateXML}, {@code virDomainBackupBegin}); virsh exposes
 * both, and its XML formats are libvirt's stable public interface. The cost is one process per
 * call (a few milliseconds), which is negligible next to a capture cycle.
 */
public final class Libvirt {
    /** Where QEMU puts the NBD sockets of pull-mode backups (QEMU must be able to create files here). */
    public static final Path SOCKET_DIR = Path.of("/var/lib/libvirt/qemu/ferry");
    /** Where libvirt creates the scratch (copy-before-write) images of pull-mode backups. */
    public static final Path SCRATCH_DIR = Path.of("/var/lib/libvirt/images/ferry-scratch");
    /** Where the images of the domains Ferry creates at recovery go (recovery VMs' overlays, failback disks). */
    public static final Path RECOVERY_IMAGES = Path.of("/var/lib/libvirt/images/ferry-recovery");
    /** Where the file consoles of the domains Ferry creates at recovery go ({@code <domain>.log}). */
    public static final Path RECOVERY_CONSOLES = Path.of("/var/lib/libvirt/qemu/ferry-recovery");
    /** The user QEMU runs as under libvirt on Debian. */
    static final String QEMU_USER = "libvirt-qemu";

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(120);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String uri;

    public Libvirt(String uri) {
        this.uri = Objects.requireNonNull(uri, "uri");
    }

    /** {@code qemu:///system}. */
    public static Libvirt system() {
        return new Libvirt("qemu:///system");
    }

    public String uri() { return uri; }

    // ---------------------------------------------------------------- domains

    /** Names of all domains (running and defined), one {@code virsh} call. */
    public List<String> domainNames() throws HypervisorException {
        return virsh("libvirt " + uri, "list", "--all", "--name").stdout().lines()
                .map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    /** All domains (running and defined). Domains that vanish while listing are skipped. */
    public List<DomainInfo> domains() throws HypervisorException {
        List<DomainInfo> out = new ArrayList<>();
        for (String n : domainNames()) {
            try {
                out.add(domain(n));
            } catch (UnknownDomainException gone) {
                // undefined by someone else meanwhile
            }
        }
        return out;
    }

    /** One domain by name or UUID; {@link UnknownDomainException} if libvirt does not know it. */
    public DomainInfo domain(String nameOrUuid) throws HypervisorException {
        Element root = Xml.parse(dumpXml(nameOrUuid), dom(nameOrUuid), "virsh dumpxml");
        String name = Xml.text(root, "name");
        String uuid = Xml.text(root, "uuid");
        DomainState state = state(name);
        Map<String, Long> capacities = capacities(name);
        List<DiskInfo> disks = new ArrayList<>();
        for (Element d : Xml.children(Xml.child(root, "devices"), "disk")) {
            if (!"disk".equals(Objects.requireNonNullElse(Xml.attr(d, "device"), "disk"))) continue;
            String target = Xml.attr(Xml.child(d, "target"), "dev");
            Element src = Xml.child(d, "source");
            String file = Xml.attr(src, "file");
            if (file == null) file = Xml.attr(src, "dev");
            String format = Xml.attr(Xml.child(d, "driver"), "type");
            disks.add(new DiskInfo(target, file == null ? null : Path.of(file), format == null ? "raw" : format,
                    capacities.getOrDefault(target, 0L)));
        }
        return new DomainInfo(name, uuid, state, disks);
    }

    /** The network interfaces of a domain, from its XML. */
    public List<NicInfo> interfaces(String dom) {
        Element root = Xml.parse(dumpXml(dom), dom(dom), "virsh dumpxml");
        List<NicInfo> out = new ArrayList<>();
        for (Element i : Xml.children(Xml.child(root, "devices"), "interface")) {
            Element src = Xml.child(i, "source");
            String source = firstNonNull(Xml.attr(src, "network"), Xml.attr(src, "bridge"), Xml.attr(src, "dev"));
            Element mac = Xml.child(i, "mac");
            out.add(new NicInfo(Xml.attr(i, "type"), source, mac == null ? null : Xml.attr(mac, "address")));
        }
        return out;
    }

    /** Names of the libvirt networks of this host ({@code virsh net-list --all --name}). */
    public List<String> networks() {
        return virsh("libvirt " + uri, "net-list", "--all", "--name").stdout().lines()
                .map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    /** Whether a libvirt network of this name exists (active or not). */
    public boolean networkExists(String name) {
        return networks().contains(name);
    }

    private boolean networkActive(String name) {
        return virsh("libvirt " + uri, "net-list", "--name").stdout().lines().map(String::strip).anyMatch(name::equals);
    }

    /**
     * Defines and starts (no autostart) an isolated libvirt network: no {@code <forward>}, no
     * {@code <ip>} (so no DHCP and no host address), a bridge libvirt names ({@code virbrN}); guests
     * on it reach each other and nothing else. Idempotent: an existing network of that name is
     * started if needed, and refused if it has a {@code <forward>} (it is not isolated then).
     */
    public void createIsolatedNetwork(String name) {
        String object = net(name);
        if (!networkExists(name)) {
            String xml = "<network>\n  <name>" + Xml.escape(name) + "</name>\n  <bridge stp='on' delay='0'/>\n</network>\n";
            Path f = tempFile("ferry-network-", ".xml", xml);
            try {
                Command.Result r = Command.run(argv("net-define", f.toString()), TIMEOUT, object, null);
                if (!r.ok() && !r.error().contains("already exists")) throw failure(object, "net-define", r.error());
            } finally {
                deleteQuietly(f);
            }
        }
        Element root = Xml.parse(virsh(object, "net-dumpxml", name, "--inactive").stdout(), object, "virsh net-dumpxml");
        Element forward = Xml.child(root, "forward");
        if (forward != null) {
            throw new HypervisorException(object, "create isolated network", "the network exists and forwards traffic "
                    + "(<forward mode='" + Objects.requireNonNullElse(Xml.attr(forward, "mode"), "nat") + "'>)",
                    "pick another name; Ferry does not change existing networks");
        }
        if (!networkActive(name)) {
            Command.Result r = Command.run(argv("net-start", name), TIMEOUT, object, null);
            if (!r.ok() && !r.error().contains("already active")) throw failure(object, "net-start", r.error());
        }
    }

    /** Stops (if active) and undefines a libvirt network; nothing happens if there is none of that name. */
    public void removeNetwork(String name) {
        String object = net(name);
        if (networkActive(name)) {
            Command.Result r = Command.run(argv("net-destroy", name), TIMEOUT, object, null);
            if (!r.ok() && !networkGone(r.error()) && !r.error().contains("not active")) {
                throw failure(object, "net-destroy", r.error());
            }
        }
        if (networkExists(name)) { // a transient network is gone after net-destroy
            Command.Result r = Command.run(argv("net-undefine", name), TIMEOUT, object, null);
            if (!r.ok() && !networkGone(r.error())) throw failure(object, "net-undefine", r.error());
        }
    }

    private static boolean networkGone(String err) {
        return err.contains("Network not found") || err.contains("failed to get network");
    }

    private static String net(String name) {
        return "network '" + name + "'";
    }

    /** The domain's live XML ({@code virsh dumpxml}). */
    public String dumpXml(String dom) {
        return virsh(dom(dom), "dumpxml", dom).stdout();
    }

    /** {@code virsh domstate}. */
    public DomainState state(String dom) {
        return DomainState.parse(virsh(dom(dom), "domstate", dom).stdout());
    }

    /** {@code virsh define}; returns the domain's name. */
    public String define(String xml) {
        Path file = tempFile("ferry-domain-", ".xml", xml);
        try {
            Element root = Xml.parse(xml, "domain XML", "virsh define");
            String name = Xml.text(root, "name");
            virsh(dom(name), "define", file.toString());
            return name;
        } finally {
            deleteQuietly(file);
        }
    }

    public void start(String dom) { virsh(dom(dom), "start", dom); }

    /** Hard power-off ({@code virsh destroy}). */
    public void destroy(String dom) { virsh(dom(dom), "destroy", dom); }

    /**
     * {@code virsh undefine --checkpoints-metadata --snapshots-metadata --nvram}: also removes
     * libvirt's checkpoint metadata (the qcow2 bitmaps stay in the images) and the UEFI nvram file.
     */
    public void undefine(String dom) {
        virsh(dom(dom), "undefine", dom, "--checkpoints-metadata", "--snapshots-metadata", "--nvram");
    }

    /** As {@link #undefine} but keeps the NVRAM file: a recovery copy may share it with its source. */
    public void undefineKeepNvram(String dom) {
        virsh(dom(dom), "undefine", dom, "--checkpoints-metadata", "--snapshots-metadata", "--keep-nvram");
    }

    public void suspend(String dom) { virsh(dom(dom), "suspend", dom); }

    public void resume(String dom) { virsh(dom(dom), "resume", dom); }

    /** Asks the guest to shut down (ACPI); returns at once. */
    public void shutdown(String dom) { virsh(dom(dom), "shutdown", dom); }

    /**
     * Asks the guest to shut down ({@link #shutdown}) and polls {@link #state} until it is shut off.
     * Returns false if it is still not shut off after {@code timeout}; it is not destroyed then.
     * True at once for a domain that is already shut off, or a transient one that has gone away.
     */
    public boolean shutdownAndWait(String dom, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            if (state(dom) == DomainState.SHUTOFF) return true;
            try {
                shutdown(dom);
            } catch (UnknownDomainException gone) {
                throw gone;
            } catch (HypervisorException e) {
                if (state(dom) == DomainState.SHUTOFF) return true; // went off meanwhile
                throw e;
            }
            while (true) {
                if (state(dom) == DomainState.SHUTOFF) return true;
                if (System.nanoTime() > deadline) return false;
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        } catch (UnknownDomainException gone) {
            return true; // a transient domain vanishes when it shuts off
        }
    }

    /** The domain's persistent definition ({@code virsh dumpxml --inactive DOM}), e.g. to copy it. */
    public String inactiveXml(String dom) {
        return virsh(dom(dom), "dumpxml", "--inactive", dom).stdout();
    }

    /** Whether libvirt knows a domain of this name or UUID (defined or transient). */
    public boolean exists(String dom) {
        Command.Result r = Command.run(argv("domstate", dom), TIMEOUT, dom(dom), null); // domuuid takes no UUID
        if (r.ok()) return true;
        HypervisorException e = failure(dom(dom), "domstate", r.error());
        if (e instanceof UnknownDomainException) return false;
        throw e;
    }

    /**
     * Pulls all data of a disk's backing chain (e.g. an NBD export) into its top image while the
     * domain runs: {@code virsh blockpull DOM DISK --wait --timeout SECONDS} (virsh aborts the job
     * at the timeout). Then checks that neither the live nor the persistent definition nor the
     * image header still names a backing store; afterwards the domain no longer needs the backing.
     *
     * @param disk the disk's target ({@code vda}) or its source path
     */
    public void blockPull(String dom, String disk, Duration timeout) {
        String op = "virsh blockpull " + disk;
        long seconds = Math.min(Integer.MAX_VALUE, Math.max(1, (timeout.toMillis() + 999) / 1000));
        Command.Result r = Command.run(argv("blockpull", dom, disk, "--wait", "--timeout", Long.toString(seconds)),
                Duration.ofSeconds(seconds).plus(TIMEOUT), dom(dom), null);
        if (!r.ok()) {
            // virsh 9.0 reports the timeout as "Pull aborted" on stdout, which -q suppresses: exit 1, no message
            if (r.error().isBlank() || r.error().contains("Pull aborted")) {
                throw new HypervisorException(dom(dom), op, "not done within " + seconds + " s, job aborted",
                        "the disk still reads from its backing; retry with a longer timeout "
                        + "(a block pull copies the whole disk) or check the backing export");
            }
            throw failure(dom(dom), "blockpull", r.error());
        }
        Element live = findDisk(Xml.parse(dumpXml(dom), dom(dom), "virsh dumpxml"), disk);
        if (live == null) {
            throw new HypervisorException(dom(dom), op, "the domain has no disk " + disk + " after the pull",
                    "see `virsh domblklist " + dom + "`");
        }
        String left = backing(live);
        if (left != null) {
            throw new HypervisorException(dom(dom), op, "disk " + disk + " still has a backing store (" + left
                    + ") after the pull", "see `virsh dumpxml " + dom + "` and `virsh blockjob " + dom + " " + disk + " --info`");
        }
        Element cfg = findDisk(Xml.parse(inactiveXml(dom), dom(dom), "virsh dumpxml --inactive"), disk);
        String cfgLeft = cfg == null ? null : backing(cfg);
        if (cfgLeft != null) {
            throw new HypervisorException(dom(dom), op, "the running domain is standalone but its persistent definition "
                    + "still names a backing store for " + disk + " (" + cfgLeft + ")",
                    "remove the disk's <backingStore> with `virsh edit " + dom + "` before the next start");
        }
        String file = Xml.attr(Xml.child(live, "source"), "file");
        if (file != null) {
            String header = QemuImg.info(Path.of(file)).backingFile();
            if (header != null) {
                throw new HypervisorException(dom(dom), op, "the image " + file + " still records backing file "
                        + header + " after the pull", "check with `qemu-img info -U " + file + "`");
            }
        }
    }

    /** A disk of a domain's XML by target dev or source path. */
    private static Element findDisk(Element root, String disk) {
        for (Element d : Xml.children(Xml.child(root, "devices"), "disk")) {
            Element src = Xml.child(d, "source");
            if (disk.equals(Xml.attr(Xml.child(d, "target"), "dev")) || disk.equals(Xml.attr(src, "file"))
                    || disk.equals(Xml.attr(src, "dev"))) {
                return d;
            }
        }
        return null;
    }

    /** A description of the disk's backing store, or null if it has none (absent or an empty {@code <backingStore/>}). */
    private static String backing(Element disk) {
        Element bs = Xml.child(disk, "backingStore");
        if (bs == null || (!bs.hasAttribute("type") && Xml.child(bs, "source") == null)) return null;
        Element src = Xml.child(bs, "source");
        Element host = Xml.child(src, "host");
        String where = firstNonNull(Xml.attr(src, "file"), Xml.attr(src, "dev"), Xml.attr(host, "socket"),
                Xml.attr(host, "name"), "?");
        return "type " + Xml.attr(bs, "type") + ", " + where;
    }

    /** Sends a QMP command to the domain's QEMU ({@code virsh qemu-monitor-command}); returns the JSON reply. */
    public String qemuMonitorCommand(String dom, String json) {
        return virsh(dom(dom), "qemu-monitor-command", dom, json).stdout();
    }

    private Map<String, Long> capacities(String dom) {
        Map<String, Long> out = new LinkedHashMap<>();
        Command.Result r = Command.run(argv("domblkinfo", dom, "--all"), TIMEOUT, dom(dom), null);
        if (!r.ok()) return out; // e.g. an image file missing on an inactive domain: capacity unknown
        for (String line : r.stdout().lines().toList()) {
            String[] f = line.strip().split("\\s+");
            if (f.length >= 2 && f[1].matches("\\d+")) out.put(f[0], Long.parseLong(f[1]));
        }
        return out;
    }

    // ------------------------------------------------------------ checkpoints

    /** The domain's checkpoints, oldest first (parents before children). */
    public List<CheckpointInfo> checkpoints(String dom) {
        String names = virsh(dom(dom), "checkpoint-list", dom, "--name", "--topological").stdout();
        List<CheckpointInfo> out = new ArrayList<>();
        for (String n : names.lines().map(String::strip).filter(s -> !s.isEmpty()).toList()) {
            String xml = virsh(dom(dom), "checkpoint-dumpxml", dom, n, "--no-domain").stdout();
            out.add(parseCheckpoint(xml, dom));
        }
        return out;
    }

    static CheckpointInfo parseCheckpoint(String xml, String dom) {
        Element root = Xml.parse(xml, dom(dom), "virsh checkpoint-dumpxml");
        String name = Xml.text(root, "name");
        String parent = Xml.text(Xml.child(root, "parent"), "name");
        String ct = Xml.text(root, "creationTime");
        List<String> disks = new ArrayList<>();
        for (Element d : Xml.children(Xml.child(root, "disks"), "disk")) {
            if (!"no".equals(Xml.attr(d, "checkpoint"))) disks.add(Xml.attr(d, "name"));
        }
        return new CheckpointInfo(name, parent, ct == null ? null : Instant.ofEpochSecond(Long.parseLong(ct)), disks);
    }

    /** Bitmap name of each disk of a checkpoint (libvirt defaults it to the checkpoint name). */
    private Map<String, String> checkpointBitmaps(String dom, String name) {
        String xml = virsh(dom(dom), "checkpoint-dumpxml", dom, name, "--no-domain").stdout();
        Element root = Xml.parse(xml, dom(dom), "virsh checkpoint-dumpxml");
        Map<String, String> out = new LinkedHashMap<>();
        for (Element d : Xml.children(Xml.child(root, "disks"), "disk")) {
            if ("no".equals(Xml.attr(d, "checkpoint"))) continue;
            String bitmap = Xml.attr(d, "bitmap");
            out.put(Xml.attr(d, "name"), bitmap == null ? name : bitmap);
        }
        return out;
    }

    /**
     * Creates a checkpoint covering every qcow2 disk: a persistent dirty bitmap NAME on each disk.
     * Running domain: {@code virsh checkpoint-create-as DOM --name NAME}. Shut-off domain: libvirt 9.0
     * refuses ("cannot create checkpoint for inactive domain"), so Ferry adds the bitmaps with
     * {@code qemu-img bitmap --add --enable} and registers them with {@code virsh checkpoint-create
     * --redefine} (parent: the current leaf checkpoint). After the next start libvirt uses them like
     * any other checkpoint (incremental backups from it work).
     */
    public void createCheckpoint(String dom, String name) {
        DomainInfo info = domain(dom);
        if (info.state().active()) {
            virsh(dom(dom), "checkpoint-create-as", dom, "--name", name);
            return;
        }
        List<CheckpointInfo> existing = checkpoints(info.name());
        if (existing.stream().anyMatch(c -> c.name().equals(name))) {
            throw new HypervisorException(dom(info.name()), "create checkpoint " + name, "checkpoint exists",
                    "pick another name or delete it first");
        }
        List<String> leaves = virsh(dom(dom), "checkpoint-list", dom, "--name", "--leaves").stdout().lines()
                .map(String::strip).filter(x -> !x.isEmpty()).toList();
        String parent = leaves.size() == 1 ? leaves.get(0) : null;
        List<DiskInfo> qcow2 = info.disks().stream().filter(d -> "qcow2".equals(d.format()) && d.source() != null)
                .toList();
        List<DiskInfo> added = new ArrayList<>();
        try {
            for (DiskInfo d : qcow2) {
                QemuImg.addBitmap(d.source(), name);
                added.add(d);
            }
            StringBuilder x = new StringBuilder("<domaincheckpoint>\n  <name>").append(Xml.escape(name))
                    .append("</name>\n");
            if (parent != null) x.append("  <parent><name>").append(Xml.escape(parent)).append("</name></parent>\n");
            x.append("  <creationTime>").append(Instant.now().getEpochSecond()).append("</creationTime>\n  <disks>\n");
            for (DiskInfo d : info.disks()) {
                x.append("    <disk name='").append(Xml.escape(d.target())).append("' checkpoint='")
                        .append(qcow2.contains(d) ? "bitmap' bitmap='" + Xml.escape(name) : "no").append("'/>\n");
            }
            x.append("  </disks>\n</domaincheckpoint>\n");
            Path f = tempFile("ferry-checkpoint-", ".xml", x.toString());
            try {
                virsh(dom(dom), "checkpoint-create", dom, f.toString(), "--redefine");
            } finally {
                deleteQuietly(f);
            }
        } catch (HypervisorException e) {
            for (DiskInfo d : added) {
                try {
                    QemuImg.removeBitmap(d.source(), name);
                } catch (HypervisorException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    /**
     * Deletes a checkpoint; its bitmap is merged into the parent checkpoint's bitmap so the chain
     * stays exact. Running domain: {@code virsh checkpoint-delete} (libvirt merges). Shut-off domain
     * (libvirt 9.0: "cannot delete checkpoint for inactive domain"): {@code qemu-img bitmap --merge}
     * into the parent's bitmap, {@code --remove}, then {@code virsh checkpoint-delete --metadata}.
     */
    public void deleteCheckpoint(String dom, String name) {
        DomainInfo info = domain(dom);
        if (info.state().active()) {
            virsh(dom(dom), "checkpoint-delete", dom, name);
            return;
        }
        CheckpointInfo cp = checkpoints(info.name()).stream().filter(c -> c.name().equals(name)).findFirst()
                .orElseThrow(() -> new HypervisorException(dom(info.name()), "delete checkpoint " + name,
                        "no such checkpoint", "list checkpoints with `virsh checkpoint-list " + info.name() + "`"));
        Map<String, String> bitmaps = checkpointBitmaps(info.name(), name);
        Map<String, String> parentBitmaps = cp.parent() == null ? Map.of() : checkpointBitmaps(info.name(), cp.parent());
        for (Map.Entry<String, String> e : bitmaps.entrySet()) {
            DiskInfo d = info.disk(e.getKey()).orElse(null);
            if (d == null || d.source() == null) continue;
            ImageInfo img = QemuImg.info(d.source());
            if (img.bitmap(e.getValue()).isEmpty()) continue; // already gone: only the metadata is left
            String parentBitmap = parentBitmaps.get(e.getKey());
            if (parentBitmap != null && img.bitmap(parentBitmap).isPresent()) {
                QemuImg.mergeBitmap(d.source(), e.getValue(), parentBitmap);
            }
            QemuImg.removeBitmap(d.source(), e.getValue());
        }
        virsh(dom(dom), "checkpoint-delete", dom, name, "--metadata");
    }

    /**
     * Checks a checkpoint against reality: the libvirt metadata, then the dirty bitmap of every
     * disk in the checkpoint. For a running domain the bitmaps are read from QEMU (QMP
     * {@code query-named-block-nodes}); for a shut-off domain from the qcow2 files
     * ({@code qemu-img info -U}).
     */
    public CheckpointHealth checkpointHealth(String dom, String name) {
        DomainInfo info = domain(dom);
        boolean known = virsh(dom(dom), "checkpoint-list", dom, "--name").stdout().lines()
                .map(String::strip).anyMatch(name::equals);
        if (!known) {
            return new CheckpointHealth(info.name(), name, CheckpointHealth.Status.MISSING, List.of());
        }
        Map<String, String> bitmaps = checkpointBitmaps(dom, name);
        List<CheckpointHealth.Disk> disks = new ArrayList<>();
        Map<Path, List<ImageInfo.Bitmap>> live = info.state().active() ? liveBitmaps(info.name()) : null;
        for (Map.Entry<String, String> e : bitmaps.entrySet()) {
            String target = e.getKey();
            String bitmap = e.getValue();
            DiskInfo disk = info.disk(target).orElse(null);
            if (disk == null || disk.source() == null) {
                disks.add(new CheckpointHealth.Disk(target, CheckpointHealth.Status.BITMAP_MISSING,
                        "the domain has no file-backed disk " + target + " any more"));
                continue;
            }
            if (live != null) {
                List<ImageInfo.Bitmap> found = live.get(disk.source().toAbsolutePath().normalize());
                disks.add(judge(target, bitmap, found, true, "QEMU node of " + disk.source()));
            } else {
                List<ImageInfo.Bitmap> found;
                try {
                    found = QemuImg.info(disk.source()).bitmaps();
                } catch (HypervisorException ex) {
                    disks.add(new CheckpointHealth.Disk(target, CheckpointHealth.Status.BITMAP_MISSING,
                            "cannot read " + disk.source() + ": " + ex.toolError()));
                    continue;
                }
                disks.add(judge(target, bitmap, found, false, disk.source().toString()));
            }
        }
        return CheckpointHealth.of(info.name(), name, disks);
    }

    private static CheckpointHealth.Disk judge(String target, String bitmap, List<ImageInfo.Bitmap> found,
                                               boolean running, String where) {
        ImageInfo.Bitmap b = found == null ? null
                : found.stream().filter(x -> x.name().equals(bitmap)).findFirst().orElse(null);
        if (b == null) {
            return new CheckpointHealth.Disk(target, CheckpointHealth.Status.BITMAP_MISSING,
                    "no bitmap '" + bitmap + "' in " + where);
        }
        // a running QEMU marks the bitmaps of images it has open "in-use": only offline is that a fault
        boolean bad = b.inconsistent() || (!running && b.inUse()) || !b.recording();
        return new CheckpointHealth.Disk(target,
                bad ? CheckpointHealth.Status.BITMAP_INCONSISTENT : CheckpointHealth.Status.OK,
                "bitmap '" + bitmap + "' in " + where + " flags " + b.flags());
    }

    /** Dirty bitmaps of a running domain per image file, from QMP query-named-block-nodes. */
    private Map<Path, List<ImageInfo.Bitmap>> liveBitmaps(String dom) {
        String reply = qemuMonitorCommand(dom, "{\"execute\":\"query-named-block-nodes\",\"arguments\":{\"flat\":true}}");
        Map<Path, List<ImageInfo.Bitmap>> out = new LinkedHashMap<>();
        for (Object node : Json.list(Json.parse(reply), "return")) {
            String drv = Json.str(node, "drv");
            String file = Json.str(node, "file");
            if (file == null || "file".equals(drv) || file.startsWith("json:")) continue;
            List<ImageInfo.Bitmap> bitmaps = new ArrayList<>();
            for (Object b : Json.list(node, "dirty-bitmaps")) {
                List<String> flags = new ArrayList<>();
                if (Json.bool(b, "recording")) flags.add("auto");
                if (Json.bool(b, "inconsistent")) flags.add("inconsistent");
                if (Json.bool(b, "busy")) flags.add("busy");
                if (Json.bool(b, "persistent")) flags.add("persistent");
                bitmaps.add(new ImageInfo.Bitmap(Json.str(b, "name"), Json.num(b, "granularity", 0), flags));
            }
            out.merge(Path.of(file).toAbsolutePath().normalize(), bitmaps, (a, c) -> {
                List<ImageInfo.Bitmap> all = new ArrayList<>(a);
                all.addAll(c);
                return all;
            });
        }
        return out;
    }

    // ----------------------------------------------------------------- backups

    /**
     * Starts a pull-mode backup: QEMU serves a frozen point-in-time view of each chosen disk over
     * NBD on a unix socket in {@link #SOCKET_DIR}, with copy-before-write scratch images in
     * {@link #SCRATCH_DIR}. One atomic {@code virsh backup-begin DOM backup.xml checkpoint.xml}
     * also creates {@code newCheckpoint} at the same instant, so the next incremental starts exactly
     * where this backup's view ends.
     *
     * @param incrementalFrom checkpoint to back up changes since (its bitmaps are exported as
     *                        {@code qemu:dirty-bitmap:backup-<disk>}), or null for a full backup
     * @param newCheckpoint   checkpoint to create, or null for none
     * @param disks           disk targets to export, or null for all
     */
    public BackupSession beginBackup(String dom, String incrementalFrom, String newCheckpoint, List<String> disks)
            throws HypervisorException {
        DomainInfo info = domain(dom);
        if (!info.state().active()) {
            throw new HypervisorException(dom(info.name()), "backup-begin", "domain is " + info.state(),
                    "pull-mode backups need a running domain; for a shut-off domain export the disk with "
                            + "QemuNbd.exportReadOnly(image, \"qcow2\", checkpoint, socket)");
        }
        String job = jobType(info.name());
        if (!"None".equals(job)) { // fail fast: libvirt would wait 30 s for its job lock
            throw new HypervisorException(dom(info.name()), "backup-begin", "a job is active (" + job + ")",
                    "another backup may still be running; end it with `virsh domjobabort " + info.name() + "`");
        }
        List<DiskInfo> chosen = new ArrayList<>();
        for (DiskInfo d : info.disks()) {
            if (disks == null || disks.contains(d.target())) chosen.add(d);
        }
        if (disks != null) {
            for (String want : disks) {
                if (info.disk(want).isEmpty()) {
                    throw new HypervisorException(dom(info.name()), "backup-begin", "no disk " + want,
                            "the domain's disks are " + info.disks().stream().map(DiskInfo::target).toList());
                }
            }
        }
        ensureQemuDir(SOCKET_DIR);
        ensureQemuDir(SCRATCH_DIR);
        String tag = shortName(info.name()) + "-" + HexFormat.of().formatHex(randomBytes(4));
        Path socket = SOCKET_DIR.resolve(tag + ".sock");
        Map<String, Path> scratch = new LinkedHashMap<>();
        StringBuilder b = new StringBuilder("<domainbackup mode='pull'>\n");
        if (incrementalFrom != null) b.append("  <incremental>").append(Xml.escape(incrementalFrom)).append("</incremental>\n");
        b.append("  <server transport='unix' socket='").append(Xml.escape(socket.toString())).append("'/>\n");
        b.append("  <disks>\n");
        for (DiskInfo d : info.disks()) {
            if (chosen.contains(d)) {
                Path s = SCRATCH_DIR.resolve(tag + "-" + d.target() + ".qcow2");
                scratch.put(d.target(), s);
                b.append("    <disk name='").append(Xml.escape(d.target())).append("' backup='yes' type='file'>")
                        .append("<scratch file='").append(Xml.escape(s.toString())).append("'/></disk>\n");
            } else {
                b.append("    <disk name='").append(Xml.escape(d.target())).append("' backup='no'/>\n");
            }
        }
        b.append("  </disks>\n</domainbackup>\n");
        Path backupXml = tempFile("ferry-backup-", ".xml", b.toString());
        Path checkpointXml = null;
        try {
            List<String> args = new ArrayList<>(List.of("backup-begin", info.name(), backupXml.toString()));
            if (newCheckpoint != null) {
                StringBuilder c = new StringBuilder("<domaincheckpoint>\n  <name>").append(Xml.escape(newCheckpoint))
                        .append("</name>\n  <disks>\n");
                for (DiskInfo d : info.disks()) {
                    c.append("    <disk name='").append(Xml.escape(d.target())).append("' checkpoint='")
                            .append(chosen.contains(d) ? "bitmap" : "no").append("'/>\n");
                }
                c.append("  </disks>\n</domaincheckpoint>\n");
                checkpointXml = tempFile("ferry-checkpoint-", ".xml", c.toString());
                args.add(checkpointXml.toString());
            }
            virsh(dom(info.name()), args.toArray(String[]::new));
        } finally {
            deleteQuietly(backupXml);
            if (checkpointXml != null) deleteQuietly(checkpointXml);
        }
        // read back what libvirt actually set up (export names and bitmap names)
        Map<String, String> exports = new LinkedHashMap<>();
        Map<String, String> bitmaps = new LinkedHashMap<>();
        try {
            Element root = Xml.parse(virsh(dom(info.name()), "backup-dumpxml", info.name()).stdout(),
                    dom(info.name()), "virsh backup-dumpxml");
            for (Element d : Xml.children(Xml.child(root, "disks"), "disk")) {
                if ("no".equals(Xml.attr(d, "backup"))) continue;
                String target = Xml.attr(d, "name");
                String export = Xml.attr(d, "exportname");
                String bitmap = Xml.attr(d, "exportbitmap");
                exports.put(target, export == null ? target : export);
                if (incrementalFrom != null) bitmaps.put(target, bitmap == null ? "backup-" + target : bitmap);
            }
        } catch (HypervisorException e) {
            abortQuietly(info.name());
            throw e;
        }
        Map<String, Long> sizes = new LinkedHashMap<>();
        for (DiskInfo d : chosen) sizes.put(d.target(), d.capacity());
        return new BackupSession(this, info.name(), socket, exports, bitmaps, sizes, scratch, newCheckpoint);
    }

    /**
     * The operation of the domain's active job as {@code virsh domjobinfo} names it ("Backup",
     * "Outgoing migration", …), or null when no job is active.
     */
    public String activeJobOperation(String dom) {
        Command.Result r = Command.run(argv("domjobinfo", dom), TIMEOUT, dom(dom), null);
        if (!r.ok()) {
            if (r.error().contains("not running")) return null;
            throw failure(dom(dom), "domjobinfo", r.error());
        }
        String type = null;
        String operation = null;
        for (String line : r.stdout().lines().toList()) {
            if (line.startsWith("Job type:")) type = line.substring("Job type:".length()).strip();
            if (line.startsWith("Operation:")) operation = line.substring("Operation:".length()).strip();
        }
        if (type == null || type.equals("None")) return null;
        return operation == null ? type : operation;
    }

    /** The XML of the domain's running backup job ({@code virsh backup-dumpxml}), or null if there is none. */
    public String backupXml(String dom) {
        Command.Result r = Command.run(argv("backup-dumpxml", dom), TIMEOUT, dom(dom), null);
        return r.ok() ? r.stdout() : null;
    }

    /** Waits until the domain has no active job; false if one is still there after {@code timeout}. */
    public boolean awaitNoJob(String dom, java.time.Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (activeJobOperation(dom) != null) {
            if (System.nanoTime() > deadline) return false;
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    /** Ends the domain's active job ({@code virsh domjobabort}); false if there was none to end. */
    public boolean abortJob(String dom) {
        Command.Result r = Command.run(argv("domjobabort", dom), TIMEOUT, dom(dom), null);
        if (r.ok()) return true;
        String e = r.error();
        if (e.contains("no job is active") || e.contains("not running") || e.contains("failed to get domain")
                || e.contains("Domain not found")) {
            return false;
        }
        throw failure(dom(dom), "domjobabort", e);
    }

    private void abortQuietly(String dom) {
        try {
            abortJob(dom);
        } catch (HypervisorException ignored) {
            // best effort while reporting another error
        }
    }

    /** The domain's current job type as {@code virsh domjobinfo} says (e.g. "None", "Unbounded"). */
    public String jobType(String dom) {
        Command.Result r = Command.run(argv("domjobinfo", dom), TIMEOUT, dom(dom), null);
        if (!r.ok()) {
            if (r.error().contains("not running")) return "None";
            throw failure(dom(dom), "domjobinfo", r.error());
        }
        for (String line : r.stdout().lines().toList()) {
            if (line.startsWith("Job type:")) return line.substring("Job type:".length()).strip();
        }
        return "None";
    }

    // ---------------------------------------------------------------- plumbing

    private List<String> argv(String... args) {
        List<String> a = new ArrayList<>(List.of("virsh", "-q", "-c", uri));
        a.addAll(List.of(args));
        return a;
    }

    /** Runs virsh and throws on failure; args[0] is the virsh command, args[1] usually the domain. */
    private Command.Result virsh(String object, String... args) {
        Command.Result r = Command.run(argv(args), args[0].equals("shutdown") ? SHUTDOWN_TIMEOUT : TIMEOUT, object,
                null);
        if (!r.ok()) throw failure(object, args[0], r.error());
        return r;
    }

    /** object: "domain 'NAME'" or another description of what the call was about. */
    private static HypervisorException failure(String object, String op, String err) {
        String operation = "virsh " + op;
        if (err.contains("failed to get domain") || err.contains("Domain not found")) {
            String name = object.startsWith("domain '") ? object.substring(8, object.length() - 1) : object;
            return new UnknownDomainException(name, operation, err);
        }
        return new HypervisorException(object, operation, err, hint(op, err));
    }

    static String hint(String op, String err) {
        if (err.contains("failed to connect") || err.contains("Failed to connect socket"))
            return "is libvirtd running? start it with scripts/install-deps.sh";
        if (op.startsWith("net-"))
            return "see `virsh net-list --all` and `virsh net-dumpxml NETWORK`";
        if (op.equals("blockpull") && err.contains("Permission denied"))
            return "QEMU runs as " + QEMU_USER + ": the backing (e.g. the NBD socket) must be accessible to it";
        if (err.contains("is not running") || err.contains("domain is not running"))
            return "start the domain first (`virsh start`)";
        if (err.contains("already active") || err.contains("is already running"))
            return "the domain is already running";
        if (err.contains("another job") || err.contains("cannot acquire state change lock")
                || err.contains("already in progress"))
            return "another backup or job is active; end it with `virsh domjobabort DOMAIN`";
        if (err.contains("checkpoint") && (err.contains("not found") || err.contains("no domain checkpoint")))
            return "list checkpoints with `virsh checkpoint-list DOMAIN`";
        if (err.contains("bitmap")) return "the disk's dirty bitmaps may be damaged; check with `qemu-img info -U IMAGE`";
        if (err.contains("Permission denied"))
            return "QEMU runs as " + QEMU_USER + ": the file or directory must be accessible to it";
        if (op.startsWith("checkpoint") || op.startsWith("backup"))
            return "incremental backup needs qcow2 disks; see `virsh checkpoint-list` and `virsh domjobinfo`";
        return "run the same virsh command by hand to see more";
    }

    private static String firstNonNull(String... values) {
        for (String v : values) if (v != null) return v;
        return null;
    }

    static String dom(String name) {
        return "domain '" + name + "'";
    }

    private static String shortName(String name) {
        String s = name.replaceAll("[^A-Za-z0-9_.-]", "_");
        return s.length() > 40 ? s.substring(0, 40) : s;
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    /** Creates a directory QEMU (running as libvirt-qemu) can create files in. */
    static void ensureQemuDir(Path dir) {
        try {
            Files.createDirectories(dir);
            try {
                var lookup = dir.getFileSystem().getUserPrincipalLookupService();
                Files.setOwner(dir, lookup.lookupPrincipalByName(QEMU_USER));
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-x--x"));
            } catch (UserPrincipalNotFoundException noSuchUser) {
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwx--x"));
            }
        } catch (IOException e) {
            throw new HypervisorException("directory " + dir, "prepare", e.toString(),
                    "Ferry must run as root (or own " + dir.getParent() + ")", e);
        }
    }

    private static Path tempFile(String prefix, String suffix, String content) {
        try {
            Path f = Files.createTempFile(prefix, suffix);
            Files.writeString(f, content, StandardCharsets.UTF_8);
            return f;
        } catch (IOException e) {
            throw new HypervisorException("temp file", "write XML", e.toString(), "is the temp directory writable?", e);
        }
    }

    static void deleteQuietly(Path f) {
        try {
            Files.deleteIfExists(f);
        } catch (IOException ignored) {
            // best effort
        }
    }

    @Override
    public String toString() {
        return "Libvirt[" + uri + "]";
    }
}
