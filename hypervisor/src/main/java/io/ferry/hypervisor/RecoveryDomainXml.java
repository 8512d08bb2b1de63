package io.ferry.hypervisor;

import java.io.StringWriter;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import javax.xml.XMLConstants;
import javax.xml.transform.OutputKeys;
import javax.xml.transform.Transformer;
import javax.xml.transform.TransformerException;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.Text;

/**
 * Turns a source domain's XML (as from {@code virsh dumpxml --inactive}) into the XML of a recovery
 * copy of that machine, to be defined on a recovery host.
 *
 * <ul>
 *   <li>{@code <name>} and {@code <uuid>} are replaced (uuid null: removed, libvirt generates one; an
 *       SMBIOS {@code <sysinfo>} system uuid entry follows, since libvirt insists they match); a
 *       {@code <genid>} with a value is emptied so libvirt generates a new VM generation ID.</li>
 *   <li>Every {@code <disk device='disk'>} (or {@code 'lun'}, which becomes {@code 'disk'}) must have a
 *       {@link DiskSource} for its target: it becomes {@code <disk type='file'>} with driver type
 *       qcow2, {@code <source file=overlay>} and, if the overlay is backed by an NBD export, an
 *       explicit {@link #nbdBackingStore(String, String) backingStore}. The source's own
 *       {@code <backingStore>}, {@code <auth>}, {@code <encryption>} and {@code <mirror>} go.
 *       CD-ROMs and floppies are removed.</li>
 *   <li>Interfaces: with {@code allNicsNetwork} every one becomes {@code type='network'} on that
 *       network (type-specific {@code <virtualport>}, {@code <vlan>}, {@code <script>},
 *       {@code <ip>}, {@code <route>}, {@code <backenddomain>} go, and a hostdev's
 *       {@code <driver>}); otherwise only {@code type='network'} ones are re-pointed through
 *       {@code networkMapping} (unmapped names stay). {@code <mac>} stays only with
 *       {@code keepMac}; {@code <target dev>} (tap name) always goes; {@code <address>} stays.</li>
 *   <li>{@code type='file'} serial, parallel, console and channel devices write to
 *       {@code consoleDir/<name>.log} (a second distinct file to {@code <name>-<n>.log}); every
 *       chardev {@code <log file>} to {@code consoleDir/<name>-<n>.log}. The same source path always
 *       maps to the same new path (libvirt's {@code <console>} mirrors {@code <serial>}).</li>
 *   <li>Everything else (kernel, initrd, cmdline, memory, vcpus, features, on_poweroff, ...) is kept.
 *       A UEFI {@code <nvram>} path becomes the copy's own ({@code <name>_VARS.fd} beside it, made
 *       from the template on first start). Not rewritten, so still shared with the source if both
 *       run on one host: explicit unix-socket channel paths, fixed VNC/SPICE ports.</li>
 * </ul>
 */
public final class RecoveryDomainXml {
    private static final String OP = "rewrite domain XML for recovery";

    private RecoveryDomainXml() {}

    /**
     * Where a recovery disk's data lives.
     *
     * @param overlay       the qcow2 file the copy writes to
     * @param backingNbdUri the overlay's backing NBD export, e.g.
     *                      {@code nbd+unix:///vda?socket=/var/lib/libvirt/qemu/ferry/x.sock}, or null
     *                      for a standalone image
     * @param backingFormat the format of the backing export ({@code raw} if null)
     */
    public record DiskSource(Path overlay, String backingNbdUri, String backingFormat) {
        public DiskSource {
            Objects.requireNonNull(overlay, "overlay");
        }
    }

    /**
     * @param name           the copy's {@code <name>}
     * @param uuid           the copy's {@code <uuid>}, or null to let libvirt generate one
     * @param disks          disk target ({@code vda}) to its source; every {@code device='disk'}
     *                       disk needs one
     * @param networkMapping source network name to recovery network name (may be null: none)
     * @param allNicsNetwork if non-null, every interface joins this network (e.g. an isolated one)
     * @param keepMac        keep the MAC addresses (false: libvirt generates new ones)
     * @param consoleDir     where {@code type='file'} consoles and chardev logs go (may be null if the
     *                       domain has none)
     */
    public record Options(String name, String uuid, Map<String, DiskSource> disks,
                          Map<String, String> networkMapping, String allNicsNetwork,
                          boolean keepMac, Path consoleDir) {
        public Options {
            Objects.requireNonNull(name, "name");
            disks = disks == null ? Map.of() : Map.copyOf(disks);
            networkMapping = networkMapping == null ? Map.of() : Map.copyOf(networkMapping);
        }
    }

    /** The recovery copy's domain XML; a {@link HypervisorException} if the source cannot be copied as asked. */
    public static String rewrite(String sourceXml, Options o) {
        Objects.requireNonNull(o, "options");
        Element root = Xml.parse(Objects.requireNonNull(sourceXml, "sourceXml"), "domain XML", OP);
        if (!root.getTagName().equals("domain")) {
            throw new HypervisorException("<" + root.getTagName() + "> document", OP, "not a <domain> element",
                    "pass a domain's XML, e.g. from `virsh dumpxml --inactive DOMAIN`");
        }
        String source = Objects.requireNonNullElse(Xml.text(root, "name"), "(unnamed)");
        String object = Libvirt.dom(source);
        root.removeAttribute("id"); // live XML only

        Element name = Xml.child(root, "name");
        if (name == null) {
            name = root.getOwnerDocument().createElement("name");
            insertFirst(root, name);
        }
        name.setTextContent(o.name());
        Element uuid = Xml.child(root, "uuid");
        if (o.uuid() == null) {
            remove(uuid);
        } else if (uuid != null) {
            uuid.setTextContent(o.uuid());
        } else {
            uuid = root.getOwnerDocument().createElement("uuid");
            uuid.setTextContent(o.uuid());
            insertAfter(name, uuid);
        }
        for (Element sysinfo : Xml.children(root, "sysinfo")) {
            for (Element system : Xml.children(sysinfo, "system")) {
                for (Element entry : Xml.children(system, "entry")) {
                    if (!"uuid".equals(Xml.attr(entry, "name"))) continue;
                    if (o.uuid() == null) remove(entry); else entry.setTextContent(o.uuid());
                }
            }
        }
        Element genid = Xml.child(root, "genid");
        if (genid != null) genid.setTextContent("");

        rewriteNvram(Xml.child(root, "os"), o.name());

        Element devices = Xml.child(root, "devices");
        rewriteDisks(devices, o, source, object);
        rewriteInterfaces(devices, o);
        rewriteChardevs(devices, o, object);
        return serialize(root.getOwnerDocument(), object);
    }

    // ------------------------------------------------------------------ UEFI variables

    /**
     * A UEFI copy gets its own variable store: {@code <nvram>PATH</nvram>} (or
     * {@code <nvram><source file=PATH/>}) becomes {@code <dir of PATH>/<name>_VARS.fd}, libvirt's own
     * naming; the template stays, so libvirt creates the file from it on first start. The source's
     * variables (boot entries) are not copied: they are not part of a point.
     */
    private static void rewriteNvram(Element os, String name) {
        Element nvram = Xml.child(os, "nvram");
        if (nvram == null) return;
        Element src = Xml.child(nvram, "source");
        String path = src != null ? Xml.attr(src, "file") : nvram.getTextContent().strip();
        if (path == null || path.isEmpty()) return; // libvirt names it after the domain itself
        Path own = Path.of(path).resolveSibling(name + "_VARS.fd");
        if (src != null) src.setAttribute("file", own.toString());
        else nvram.setTextContent(own.toString());
    }

    /**
     * True if {@code domainXml}'s UEFI variable store is the domain's own (named after it, as
     * {@link #rewrite} makes it, or none): removing the copy may delete it. A copy made by an older
     * Ferry names its source's file, which must be kept.
     */
    public static boolean ownsNvram(String domainXml, String domain) {
        Element root = Xml.parse(domainXml, "domain XML", "read <nvram>");
        Element nvram = Xml.child(Xml.child(root, "os"), "nvram");
        if (nvram == null) return true;
        Element src = Xml.child(nvram, "source");
        String path = src != null ? Xml.attr(src, "file") : nvram.getTextContent().strip();
        return path == null || path.isEmpty() || Path.of(path).getFileName().toString().equals(domain + "_VARS.fd");
    }

    // ------------------------------------------------------------------ disks

    private static void rewriteDisks(Element devices, Options o, String source, String object) {
        List<String> targets = new ArrayList<>();
        Set<String> used = new LinkedHashSet<>();
        for (Element disk : Xml.children(devices, "disk")) {
            String device = Objects.requireNonNullElse(Xml.attr(disk, "device"), "disk");
            if (device.equals("cdrom") || device.equals("floppy")) {
                remove(disk);
                continue;
            }
            String target = Xml.attr(Xml.child(disk, "target"), "dev");
            if (!device.equals("disk") && !device.equals("lun")) {
                throw new HypervisorException(object, OP, "disk " + target + " has device='" + device + "'",
                        "Ferry recovers device='disk' disks; remove this one from the source domain");
            }
            if (target == null) {
                throw new HypervisorException(object, OP, "a disk without <target dev>",
                        "fix the source domain's XML (`virsh edit " + source + "`)");
            }
            targets.add(target);
            DiskSource ds = o.disks().get(target);
            if (ds == null) {
                throw new HypervisorException(object, OP, "disk " + target + " (" + describeSource(disk)
                        + ") has no recovery source", "pass a DiskSource for every device='disk' disk of "
                        + source + " (" + diskTargets(devices) + ") in Options.disks; CD-ROMs and floppies are dropped");
            }
            used.add(target);
            rewriteDisk(disk, ds, object);
        }
        for (String t : o.disks().keySet()) {
            if (!used.contains(t)) {
                throw new HypervisorException(object, OP, "Options.disks names disk " + t + ", which the domain does not have",
                        "the domain's disks are " + targets);
            }
        }
    }

    private static void rewriteDisk(Element disk, DiskSource ds, String object) {
        Document doc = disk.getOwnerDocument();
        disk.setAttribute("type", "file");
        disk.setAttribute("device", "disk");
        disk.removeAttribute("sgio"); // lun-only attributes
        disk.removeAttribute("rawio");
        Element driver = Xml.child(disk, "driver");
        if (driver == null) {
            driver = doc.createElement("driver");
            driver.setAttribute("name", "qemu");
            insertFirst(disk, driver);
        }
        driver.setAttribute("type", "qcow2");
        for (String drop : List.of("backingStore", "auth", "encryption", "mirror")) {
            for (Element e : Xml.children(disk, drop)) remove(e);
        }
        Element src = doc.createElement("source");
        src.setAttribute("file", ds.overlay().toString());
        Element old = Xml.child(disk, "source");
        if (old != null) {
            disk.replaceChild(src, old);
            for (Element extra : Xml.children(disk, "source")) if (extra != src) remove(extra);
        } else {
            insertAfter(driver, src);
        }
        if (ds.backingNbdUri() != null) {
            Element bs = Xml.parse(nbdBackingStore(ds.backingNbdUri(), ds.backingFormat()), object, OP);
            insertAfter(src, (Element) doc.importNode(bs, true));
        }
    }

    private static String describeSource(Element disk) {
        Element s = Xml.child(disk, "source");
        if (s == null) return "no source";
        for (String a : List.of("file", "dev", "name", "volume")) {
            String v = Xml.attr(s, a);
            if (v != null) return a + " " + v;
        }
        return "type " + Xml.attr(disk, "type");
    }

    private static List<String> diskTargets(Element devices) {
        List<String> out = new ArrayList<>();
        for (Element d : Xml.children(devices, "disk")) {
            String device = Objects.requireNonNullElse(Xml.attr(d, "device"), "disk");
            if (device.equals("disk") || device.equals("lun")) out.add(Xml.attr(Xml.child(d, "target"), "dev"));
        }
        return out;
    }

    /**
     * An explicit {@code <backingStore type='network'>} element (text, indented for a disk at the
     * usual depth) for a qcow2 overlay whose backing file is an NBD URI such as
     * {@code nbd+unix:///vda?socket=/path.sock} or {@code nbd://host:port/export}. It ends the chain
     * with an empty {@code <backingStore/>}, so libvirt does not probe further.
     *
     * @param format the export's format; null means raw
     */
    public static String nbdBackingStore(String uri, String format) {
        URI u;
        try {
            u = URI.create(Objects.requireNonNull(uri, "uri"));
        } catch (IllegalArgumentException e) {
            throw new HypervisorException("NBD URI " + uri, "build <backingStore>", e.getMessage(),
                    "use nbd+unix:///EXPORT?socket=/PATH or nbd://HOST:PORT/EXPORT", e);
        }
        String scheme = Objects.requireNonNullElse(u.getScheme(), "");
        String path = u.getPath();
        String export = path == null || path.length() <= 1 ? "" : path.substring(1);
        StringBuilder x = new StringBuilder();
        x.append("      <backingStore type='network'>\n");
        x.append("        <format type='").append(Xml.escape(format == null ? "raw" : format)).append("'/>\n");
        x.append("        <source protocol='nbd'").append(export.isEmpty() ? "" : " name='" + Xml.escape(export) + "'")
                .append(">\n");
        switch (scheme) {
            case "nbd+unix" -> {
                String socket = null;
                for (String q : Objects.requireNonNullElse(u.getQuery(), "").split("&")) {
                    if (q.startsWith("socket=")) socket = q.substring("socket=".length());
                }
                if (socket == null || socket.isEmpty()) {
                    throw new HypervisorException("NBD URI " + uri, "build <backingStore>", "no socket= parameter",
                            "use nbd+unix:///EXPORT?socket=/PATH");
                }
                x.append("          <host transport='unix' socket='").append(Xml.escape(socket)).append("'/>\n");
            }
            case "nbd", "nbd+tcp" -> {
                if (u.getHost() == null) {
                    throw new HypervisorException("NBD URI " + uri, "build <backingStore>", "no host",
                            "use nbd://HOST:PORT/EXPORT");
                }
                x.append("          <host name='").append(Xml.escape(u.getHost())).append("' port='")
                        .append(u.getPort() < 0 ? 10809 : u.getPort()).append("'/>\n");
            }
            default -> throw new HypervisorException("NBD URI " + uri, "build <backingStore>",
                    "scheme '" + scheme + "' is not NBD", "use nbd+unix:///EXPORT?socket=/PATH or nbd://HOST:PORT/EXPORT");
        }
        x.append("        </source>\n        <backingStore/>\n      </backingStore>\n");
        return x.toString();
    }

    // ------------------------------------------------------------- interfaces

    private static void rewriteInterfaces(Element devices, Options o) {
        Document doc = devices == null ? null : devices.getOwnerDocument();
        for (Element nic : Xml.children(devices, "interface")) {
            String type = Xml.attr(nic, "type");
            if (o.allNicsNetwork() != null) {
                nic.setAttribute("type", "network");
                List<String> drop = new ArrayList<>(List.of("virtualport", "vlan", "script", "downscript", "ip",
                        "route", "backenddomain"));
                if ("hostdev".equals(type)) drop.add("driver");
                for (String d : drop) {
                    for (Element e : Xml.children(nic, d)) remove(e);
                }
                Element src = doc.createElement("source");
                src.setAttribute("network", o.allNicsNetwork());
                Element old = Xml.child(nic, "source");
                if (old != null) {
                    nic.replaceChild(src, old);
                    for (Element extra : Xml.children(nic, "source")) if (extra != src) remove(extra);
                } else {
                    Element mac = Xml.child(nic, "mac");
                    if (mac != null) insertAfter(mac, src); else insertFirst(nic, src);
                }
            } else if ("network".equals(type)) {
                Element src = Xml.child(nic, "source");
                String net = Xml.attr(src, "network");
                if (net != null) {
                    String mapped = o.networkMapping().getOrDefault(net, net);
                    if (!mapped.equals(net)) {
                        src.setAttribute("network", mapped);
                        src.removeAttribute("portgroup"); // a port group of the old network
                    }
                    src.removeAttribute("portid"); // live XML only
                    src.removeAttribute("bridge");
                }
            }
            if (!o.keepMac()) {
                for (Element e : Xml.children(nic, "mac")) remove(e);
            }
            for (Element e : Xml.children(nic, "target")) remove(e);
        }
    }

    // --------------------------------------------------------------- chardevs

    private static void rewriteChardevs(Element devices, Options o, String object) {
        Map<String, String> moved = new HashMap<>();
        int[] counter = {0};
        boolean[] primaryTaken = {false};
        for (String kind : List.of("serial", "console", "parallel", "channel")) {
            for (Element dev : Xml.children(devices, kind)) {
                if ("file".equals(Xml.attr(dev, "type"))) {
                    Element src = Xml.child(dev, "source");
                    String path = Xml.attr(src, "path");
                    if (path != null) {
                        src.setAttribute("path", moved.computeIfAbsent(path, p -> {
                            Path dir = consoleDir(o, object, kind);
                            if (!primaryTaken[0]) {
                                primaryTaken[0] = true;
                                return dir.resolve(o.name() + ".log").toString();
                            }
                            return dir.resolve(o.name() + "-" + (++counter[0]) + ".log").toString();
                        }));
                    }
                }
                for (Element log : Xml.children(dev, "log")) {
                    String file = Xml.attr(log, "file");
                    if (file == null) continue;
                    log.setAttribute("file", moved.computeIfAbsent(file,
                            p -> consoleDir(o, object, kind).resolve(o.name() + "-" + (++counter[0]) + ".log").toString()));
                }
            }
        }
    }

    private static Path consoleDir(Options o, String object, String kind) {
        if (o.consoleDir() == null) {
            throw new HypervisorException(object, OP, "a " + kind + " device writes to a file and Options.consoleDir is null",
                    "set consoleDir so the copy does not write into the source's files");
        }
        return o.consoleDir();
    }

    // ---------------------------------------------------------------- helpers

    /** Removes an element and the indentation before it. */
    private static void remove(Element e) {
        if (e == null || e.getParentNode() == null) return;
        Node prev = e.getPreviousSibling();
        if (prev instanceof Text t && t.getData().isBlank()) t.getParentNode().removeChild(t);
        e.getParentNode().removeChild(e);
    }

    private static void insertFirst(Element parent, Element child) {
        Node first = parent.getFirstChild();
        if (first instanceof Text t && t.getData().isBlank()) {
            parent.insertBefore(child, first.getNextSibling());
            parent.insertBefore(parent.getOwnerDocument().createTextNode(t.getData()), child.getNextSibling());
        } else {
            parent.insertBefore(child, first);
        }
    }

    /** Inserts {@code added} right after {@code anchor}, with the anchor's indentation. */
    private static void insertAfter(Element anchor, Element added) {
        Node parent = anchor.getParentNode();
        Node prev = anchor.getPreviousSibling();
        String indent = prev instanceof Text t && t.getData().isBlank() ? t.getData() : null;
        Node next = anchor.getNextSibling();
        if (indent != null) parent.insertBefore(anchor.getOwnerDocument().createTextNode(indent), next);
        parent.insertBefore(added, next);
    }

    private static String serialize(Document doc, String object) {
        try {
            TransformerFactory tf = TransformerFactory.newInstance();
            tf.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            tf.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
            tf.setAttribute(XMLConstants.ACCESS_EXTERNAL_STYLESHEET, "");
            Transformer t = tf.newTransformer();
            t.setOutputProperty(OutputKeys.OMIT_XML_DECLARATION, "yes");
            t.setOutputProperty(OutputKeys.METHOD, "xml");
            t.setOutputProperty(OutputKeys.ENCODING, "UTF-8");
            StringWriter w = new StringWriter();
            t.transform(new DOMSource(doc.getDocumentElement()), new StreamResult(w));
            String s = w.toString();
            return s.endsWith("\n") ? s : s + "\n";
        } catch (TransformerException e) {
            throw new HypervisorException(object, OP, "cannot serialize: " + e.getMessage(), "please report it", e);
        }
    }
}
