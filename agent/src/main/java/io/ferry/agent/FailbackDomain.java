package io.ferry.agent;

import io.ferry.datapath.capture.MachineCapture;
import io.ferry.hypervisor.Libvirt;
import io.ferry.hypervisor.QemuImg;
import io.ferry.hypervisor.RecoveryDomainXml;
import io.ferry.repository.DiskRef;
import io.ferry.repository.PointManifest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A failback to a host that has no copy of the machine: the domain is defined from the point's
 * domain configuration (formats.md §6, {@code domainXml}) with one new, empty qcow2 image per disk
 * in {@code images} ({@code <domain>-<disk>.qcow2}), its own UUID, the MAC addresses kept (it is
 * the machine, coming home) and the networks mapped. The restore then writes the point into it.
 */
final class FailbackDomain {
    private FailbackDomain() {}

    /** Defines {@code domain} (shut off) for {@code point}; images left by an earlier, unfinished attempt are replaced. */
    static void define(Libvirt libvirt, PointManifest point, String domain, Map<String, String> networkMapping,
                       Path images, Path consoles) throws IOException {
        String xml = point.attributes().get(MachineCapture.ATTR_DOMAIN_XML);
        if (xml == null) {
            throw new AgentException("point " + point.id() + " has no domain configuration (it was captured by an older Ferry),"
                    + " so domain " + domain + " cannot be created from it", "fail back in place, or define " + domain
                    + " with disks " + point.disks().stream().map(DiskRef::name).toList() + " on this host first");
        }
        RecoveryVms.ensureDir(images, false);
        RecoveryVms.ensureDir(consoles, true);
        Map<String, RecoveryDomainXml.DiskSource> disks = new LinkedHashMap<>();
        for (DiskRef d : point.disks()) {
            Path image = images.resolve(domain + "-" + d.name() + ".qcow2");
            Files.deleteIfExists(image); // never a live disk: no domain of this name exists
            QemuImg.create(image, "qcow2", d.size());
            disks.put(d.name(), new RecoveryDomainXml.DiskSource(image, null, null));
        }
        libvirt.define(RecoveryDomainXml.rewrite(xml, new RecoveryDomainXml.Options(domain, null, disks, networkMapping,
                null, true, consoles)));
    }
}
