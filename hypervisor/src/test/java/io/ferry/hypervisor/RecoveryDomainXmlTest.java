package io.ferry.hypervisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;

class RecoveryDomainXmlTest {
    static final String SOCK = "/var/lib/libvirt/qemu/ferry/x.sock";
    static final String NBD = "nbd+unix:///vda?socket=" + SOCK;
    static final Path OVERLAY = Path.of("/var/lib/libvirt/images/ferry/copy-vda.qcow2");
    static final Path CONSOLES = Path.of("/var/lib/ferry/consoles");

    /** What {@code virsh dumpxml --inactive} gives for a lab-style domain, plus a cdrom and a bridge NIC. */
    static final String SOURCE = """
            <domain type='qemu' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>
              <name>web1</name>
              <uuid>8f1b1c52-6f34-4c61-a2a5-0d7b3e8f4a10</uuid>
              <genid>3f5a4e8e-1f1a-4a5c-9a2e-2b6c1d0e9f11</genid>
              <metadata>
                <ferry:owner xmlns:ferry='https://ferry.example/1'>ops</ferry:owner>
              </metadata>
              <memory unit='KiB'>131072</memory>
              <currentMemory unit='KiB'>131072</currentMemory>
              <vcpu placement='static'>1</vcpu>
              <sysinfo type='smbios'>
                <system>
                  <entry name='manufacturer'>Ferry</entry>
                  <entry name='uuid'>8f1b1c52-6f34-4c61-a2a5-0d7b3e8f4a10</entry>
                </system>
              </sysinfo>
              <os>
                <type arch='x86_64' machine='pc-i440fx-7.2'>hvm</type>
                <kernel>/var/lib/ferry/lab-cache/abc/vmlinuz</kernel>
                <initrd>/var/lib/ferry/lab-cache/abc/initrd.img</initrd>
                <cmdline>console=ttyS0 quiet panic=-1 ferry.mode=write</cmdline>
                <boot dev='hd'/>
              </os>
              <features>
                <acpi/>
              </features>
              <clock offset='utc'/>
              <on_poweroff>destroy</on_poweroff>
              <on_reboot>destroy</on_reboot>
              <on_crash>destroy</on_crash>
              <devices>
                <emulator>/usr/bin/qemu-system-x86_64</emulator>
                <disk type='file' device='disk'>
                  <driver name='qemu' type='qcow2' discard='unmap'/>
                  <source file='/var/lib/libvirt/images/web1-vda.qcow2'/>
                  <backingStore type='file'>
                    <format type='qcow2'/>
                    <source file='/var/lib/libvirt/images/base.qcow2'/>
                  </backingStore>
                  <target dev='vda' bus='virtio'/>
                  <boot order='1'/>
                  <address type='pci' domain='0x0000' bus='0x00' slot='0x04' function='0x0'/>
                </disk>
                <disk type='file' device='cdrom'>
                  <driver name='qemu' type='raw'/>
                  <source file='/srv/iso/debian.iso'/>
                  <target dev='hdc' bus='ide'/>
                  <readonly/>
                  <address type='drive' controller='0' bus='1' target='0' unit='0'/>
                </disk>
                <controller type='ide' index='0'/>
                <interface type='network'>
                  <mac address='52:54:00:aa:bb:01'/>
                  <source network='default'/>
                  <target dev='vnet7'/>
                  <model type='virtio'/>
                  <address type='pci' domain='0x0000' bus='0x00' slot='0x03' function='0x0'/>
                </interface>
                <interface type='bridge'>
                  <mac address='52:54:00:aa:bb:02'/>
                  <source bridge='br0'/>
                  <virtualport type='openvswitch'/>
                  <vlan><tag id='42'/></vlan>
                  <target dev='vnet8'/>
                  <model type='e1000'/>
                  <address type='pci' domain='0x0000' bus='0x00' slot='0x05' function='0x0'/>
                </interface>
                <serial type='file'>
                  <source path='/var/lib/libvirt/qemu/ferry-lab/web1.console'/>
                  <target type='isa-serial' port='0'>
                    <model name='isa-serial'/>
                  </target>
                </serial>
                <console type='file'>
                  <source path='/var/lib/libvirt/qemu/ferry-lab/web1.console'/>
                  <target type='serial' port='0'/>
                </console>
                <serial type='pty'>
                  <log file='/var/log/web1-serial1.log' append='on'/>
                  <target type='isa-serial' port='1'/>
                </serial>
                <channel type='pty'>
                  <target type='virtio' name='org.example.0'/>
                </channel>
                <memballoon model='none'/>
              </devices>
              <qemu:commandline>
                <qemu:arg value='-no-user-config'/>
              </qemu:commandline>
            </domain>
            """;

    static RecoveryDomainXml.Options options(Map<String, RecoveryDomainXml.DiskSource> disks, String uuid,
                                             String allNics, boolean keepMac) {
        return new RecoveryDomainXml.Options("web1-recovery", uuid, disks, Map.of("default", "recovery-lan"), allNics,
                keepMac, CONSOLES);
    }

    static Map<String, RecoveryDomainXml.DiskSource> nbdDisk() {
        return Map.of("vda", new RecoveryDomainXml.DiskSource(OVERLAY, NBD, "raw"));
    }

    static Element devices(Element root) {
        return Xml.child(root, "devices");
    }

    @Test
    void rewritesALabStyleDomain() {
        String out = RecoveryDomainXml.rewrite(SOURCE, options(nbdDisk(), null, null, false));
        Element root = Xml.parse(out, "out", "test");
        assertThat(root.getTagName()).isEqualTo("domain");
        assertThat(Xml.attr(root, "type")).isEqualTo("qemu");
        assertThat(Xml.text(root, "name")).isEqualTo("web1-recovery");
        assertThat(Xml.child(root, "uuid")).isNull();
        assertThat(out).doesNotContain("8f1b1c52"); // nor in sysinfo: libvirt would adopt that uuid
        assertThat(Xml.text(root, "genid")).isEmpty(); // libvirt generates a new one
        assertThat(Xml.text(Xml.child(Xml.child(root, "sysinfo"), "system"), "entry")).isEqualTo("Ferry");

        // everything else is kept
        Element os = Xml.child(root, "os");
        assertThat(Xml.text(os, "kernel")).isEqualTo("/var/lib/ferry/lab-cache/abc/vmlinuz");
        assertThat(Xml.text(os, "initrd")).isEqualTo("/var/lib/ferry/lab-cache/abc/initrd.img");
        assertThat(Xml.text(os, "cmdline")).isEqualTo("console=ttyS0 quiet panic=-1 ferry.mode=write");
        assertThat(Xml.text(root, "memory")).isEqualTo("131072");
        assertThat(Xml.text(root, "vcpu")).isEqualTo("1");
        assertThat(Xml.text(root, "on_poweroff")).isEqualTo("destroy");
        assertThat(Xml.child(Xml.child(root, "features"), "acpi")).isNotNull();
        assertThat(out).contains("<ferry:owner xmlns:ferry=\"https://ferry.example/1\">ops</ferry:owner>")
                .contains("<qemu:arg value=\"-no-user-config\"/>")
                .contains("xmlns:qemu=\"http://libvirt.org/schemas/domain/qemu/1.0\"");

        // the disk: overlay + explicit NBD backing store; the cdrom is gone
        List<Element> disks = Xml.children(devices(root), "disk");
        assertThat(disks).hasSize(1);
        Element vda = disks.get(0);
        assertThat(Xml.attr(vda, "type")).isEqualTo("file");
        assertThat(Xml.attr(vda, "device")).isEqualTo("disk");
        assertThat(Xml.attr(Xml.child(vda, "driver"), "type")).isEqualTo("qcow2");
        assertThat(Xml.attr(Xml.child(vda, "driver"), "discard")).isEqualTo("unmap");
        assertThat(Xml.children(vda, "source")).hasSize(1);
        assertThat(Xml.attr(Xml.child(vda, "source"), "file")).isEqualTo(OVERLAY.toString());
        List<Element> stores = Xml.children(vda, "backingStore");
        assertThat(stores).hasSize(1);
        Element bs = stores.get(0);
        assertThat(Xml.attr(bs, "type")).isEqualTo("network");
        assertThat(Xml.attr(Xml.child(bs, "format"), "type")).isEqualTo("raw");
        Element bsrc = Xml.child(bs, "source");
        assertThat(Xml.attr(bsrc, "protocol")).isEqualTo("nbd");
        assertThat(Xml.attr(bsrc, "name")).isEqualTo("vda");
        assertThat(Xml.attr(Xml.child(bsrc, "host"), "transport")).isEqualTo("unix");
        assertThat(Xml.attr(Xml.child(bsrc, "host"), "socket")).isEqualTo(SOCK);
        Element end = Xml.child(bs, "backingStore");
        assertThat(end).isNotNull();
        assertThat(end.hasChildNodes()).isFalse();
        assertThat(out).doesNotContain("base.qcow2").doesNotContain("web1-vda.qcow2").doesNotContain("debian.iso");
        assertThat(Xml.attr(Xml.child(vda, "target"), "dev")).isEqualTo("vda");
        assertThat(Xml.attr(Xml.child(vda, "boot"), "order")).isEqualTo("1");
        assertThat(Xml.attr(Xml.child(vda, "address"), "slot")).isEqualTo("0x04");

        // NICs: network mapped, bridge untouched, MACs and tap names dropped, addresses kept
        List<Element> nics = Xml.children(devices(root), "interface");
        assertThat(nics).hasSize(2);
        assertThat(Xml.attr(nics.get(0), "type")).isEqualTo("network");
        assertThat(Xml.attr(Xml.child(nics.get(0), "source"), "network")).isEqualTo("recovery-lan");
        assertThat(Xml.attr(nics.get(1), "type")).isEqualTo("bridge");
        assertThat(Xml.attr(Xml.child(nics.get(1), "source"), "bridge")).isEqualTo("br0");
        assertThat(Xml.child(nics.get(1), "vlan")).isNotNull();
        for (Element nic : nics) {
            assertThat(Xml.child(nic, "mac")).isNull();
            assertThat(Xml.child(nic, "target")).isNull();
            assertThat(Xml.child(nic, "address")).isNotNull();
        }
        assertThat(Xml.attr(Xml.child(nics.get(1), "model"), "type")).isEqualTo("e1000");

        // the file console (serial and its console mirror) moved; pty ones unchanged except their log
        List<Element> serials = Xml.children(devices(root), "serial");
        assertThat(Xml.attr(Xml.child(serials.get(0), "source"), "path"))
                .isEqualTo("/var/lib/ferry/consoles/web1-recovery.log");
        assertThat(Xml.attr(Xml.child(Xml.child(devices(root), "console"), "source"), "path"))
                .isEqualTo("/var/lib/ferry/consoles/web1-recovery.log");
        assertThat(Xml.attr(serials.get(1), "type")).isEqualTo("pty");
        assertThat(Xml.attr(Xml.child(serials.get(1), "log"), "file"))
                .isEqualTo("/var/lib/ferry/consoles/web1-recovery-1.log");
        assertThat(Xml.attr(Xml.child(serials.get(1), "log"), "append")).isEqualTo("on");
        assertThat(out).doesNotContain("ferry-lab/web1.console").doesNotContain("web1-serial1.log");
        assertThat(Xml.attr(Xml.child(devices(root), "channel"), "type")).isEqualTo("pty");

        // no blank lines where elements were removed; stable under a second rewrite
        assertThat(out).doesNotContain("\n\n").doesNotContain("\n    \n");
        String again = RecoveryDomainXml.rewrite(out, options(nbdDisk(), null, null, false));
        assertThat(again).isEqualTo(out);
    }

    @Test
    void keepsMacsAndSetsTheUuidEverywhere() {
        String uuid = "0d6c8e4a-9b1f-4f55-8a0c-7e2d3f4b5a61";
        Element root = Xml.parse(RecoveryDomainXml.rewrite(SOURCE, options(nbdDisk(), uuid, null, true)), "out", "test");
        assertThat(Xml.text(root, "uuid")).isEqualTo(uuid);
        assertThat(Xml.children(Xml.child(Xml.child(root, "sysinfo"), "system"), "entry").get(1).getTextContent())
                .isEqualTo(uuid);
        List<Element> nics = Xml.children(devices(root), "interface");
        assertThat(Xml.attr(Xml.child(nics.get(0), "mac"), "address")).isEqualTo("52:54:00:aa:bb:01");
        assertThat(Xml.attr(Xml.child(nics.get(1), "mac"), "address")).isEqualTo("52:54:00:aa:bb:02");
    }

    @Test
    void aUefiCopyGetsItsOwnVariableStoreMadeFromTheTemplate() {
        String uefi = SOURCE.replace("<boot dev='hd'/>", "<loader readonly='yes' type='pflash'>/usr/share/OVMF/OVMF_CODE.fd</loader>"
                + "<nvram template='/usr/share/OVMF/OVMF_VARS.fd'>/var/lib/libvirt/qemu/nvram/web1_VARS.fd</nvram><boot dev='hd'/>");
        assertThat(uefi).contains("<nvram");
        assertThat(RecoveryDomainXml.ownsNvram(uefi, "web1-dr")).as("the source's store is not the copy's").isFalse();
        String out = RecoveryDomainXml.rewrite(uefi, options(nbdDisk(), null, null, true));
        Element nvram = Xml.child(Xml.child(Xml.parse(out, "out", "test"), "os"), "nvram");
        String copy = Xml.parse(out, "out", "test").getElementsByTagName("name").item(0).getTextContent();
        assertThat(nvram.getTextContent()).isEqualTo("/var/lib/libvirt/qemu/nvram/" + copy + "_VARS.fd");
        assertThat(Xml.attr(nvram, "template")).isEqualTo("/usr/share/OVMF/OVMF_VARS.fd");
        assertThat(RecoveryDomainXml.ownsNvram(out, copy)).isTrue();

        // libvirt's newer form, <nvram type='file'><source file=.../></nvram>
        String typed = SOURCE.replace("<boot dev='hd'/>", "<nvram type='file'><source file='/srv/nv/web1.fd'/></nvram><boot dev='hd'/>");
        Element src = Xml.child(Xml.child(Xml.child(Xml.parse(RecoveryDomainXml.rewrite(typed, options(nbdDisk(), null, null, true)),
                "out", "test"), "os"), "nvram"), "source");
        assertThat(Xml.attr(src, "file")).isEqualTo("/srv/nv/" + copy + "_VARS.fd");
        // a BIOS domain, or one whose store libvirt names itself, owns what it has
        assertThat(RecoveryDomainXml.ownsNvram(SOURCE, "web1-dr")).isTrue();
    }

    @Test
    void allNicsJoinOneNetwork() {
        Element root = Xml.parse(RecoveryDomainXml.rewrite(SOURCE, options(nbdDisk(), null, "ferry-iso-1", true)),
                "out", "test");
        List<Element> nics = Xml.children(devices(root), "interface");
        assertThat(nics).hasSize(2);
        for (Element nic : nics) {
            assertThat(Xml.attr(nic, "type")).isEqualTo("network");
            assertThat(Xml.children(nic, "source")).hasSize(1);
            Element src = Xml.child(nic, "source");
            assertThat(Xml.attr(src, "network")).isEqualTo("ferry-iso-1");
            assertThat(src.getAttributes().getLength()).isEqualTo(1); // no bridge= left
            assertThat(Xml.child(nic, "virtualport")).isNull();
            assertThat(Xml.child(nic, "vlan")).isNull();
            assertThat(Xml.child(nic, "mac")).isNotNull();
        }
    }

    @Test
    void aStandaloneOverlayHasNoBackingStoreAndANetworkMissingFromTheMappingKeepsItsName() {
        String out = RecoveryDomainXml.rewrite(SOURCE, new RecoveryDomainXml.Options("c", null,
                Map.of("vda", new RecoveryDomainXml.DiskSource(OVERLAY, null, null)), null, null, false, CONSOLES));
        Element vda = Xml.child(devices(Xml.parse(out, "out", "test")), "disk");
        assertThat(Xml.child(vda, "backingStore")).isNull();
        assertThat(Xml.attr(Xml.child(vda, "source"), "file")).isEqualTo(OVERLAY.toString());
        assertThat(out).contains("<source network=\"default\"/>");
    }

    @Test
    void blockAndNetworkDisksBecomeFiles() {
        String src = SOURCE.replace("""
                    <disk type='file' device='cdrom'>""", """
                    <disk type='block' device='disk'>
                      <driver name='qemu' type='raw' cache='none' io='native'/>
                      <source dev='/dev/vg0/data'/>
                      <target dev='vdb' bus='virtio'/>
                    </disk>
                    <disk type='network' device='disk'>
                      <driver name='qemu' type='raw'/>
                      <source protocol='rbd' name='pool/img'><host name='mon1' port='6789'/></source>
                      <auth username='admin'><secret type='ceph' usage='ceph'/></auth>
                      <target dev='vdc' bus='virtio'/>
                    </disk>
                    <disk type='file' device='cdrom'>""");
        Path b = Path.of("/x/b.qcow2");
        Path c = Path.of("/x/c.qcow2");
        Element root = Xml.parse(RecoveryDomainXml.rewrite(src, options(Map.of("vda", new RecoveryDomainXml.DiskSource(
                OVERLAY, NBD, "raw"), "vdb", new RecoveryDomainXml.DiskSource(b, "nbd://10.0.0.5:10810/vdb", "raw"),
                "vdc", new RecoveryDomainXml.DiskSource(c, null, null)), null, null, false)), "out", "test");
        List<Element> disks = Xml.children(devices(root), "disk");
        assertThat(disks).extracting(d -> Xml.attr(Xml.child(d, "target"), "dev")).containsExactly("vda", "vdb", "vdc");
        for (Element d : disks) {
            assertThat(Xml.attr(d, "type")).isEqualTo("file");
            assertThat(Xml.attr(Xml.child(d, "driver"), "type")).isEqualTo("qcow2");
            assertThat(Xml.children(d, "source")).hasSize(1);
            assertThat(Xml.child(d, "auth")).isNull();
        }
        assertThat(Xml.attr(Xml.child(disks.get(1), "driver"), "cache")).isEqualTo("none");
        assertThat(Xml.attr(Xml.child(disks.get(1), "source"), "file")).isEqualTo(b.toString());
        Element host = Xml.child(Xml.child(Xml.child(disks.get(1), "backingStore"), "source"), "host");
        assertThat(Xml.attr(host, "name")).isEqualTo("10.0.0.5");
        assertThat(Xml.attr(host, "port")).isEqualTo("10810");
        assertThat(Xml.attr(Xml.child(disks.get(2), "source"), "file")).isEqualTo(c.toString());
        assertThat(Xml.child(Xml.child(disks.get(2), "source"), "host")).isNull();
    }

    @Test
    void aDiskWithoutARecoverySourceIsAnError() {
        assertThatThrownBy(() -> RecoveryDomainXml.rewrite(SOURCE, options(Map.of(), null, null, false)))
                .isInstanceOf(HypervisorException.class)
                .hasMessageContaining("domain 'web1'")
                .hasMessageContaining("disk vda")
                .hasMessageContaining("/var/lib/libvirt/images/web1-vda.qcow2")
                .hasMessageContaining("DiskSource")
                .hasMessageContaining("Options.disks");
        assertThatThrownBy(() -> RecoveryDomainXml.rewrite(SOURCE, options(Map.of(
                "vda", new RecoveryDomainXml.DiskSource(OVERLAY, null, null),
                "vdq", new RecoveryDomainXml.DiskSource(OVERLAY, null, null)), null, null, false)))
                .isInstanceOf(HypervisorException.class).hasMessageContaining("vdq").hasMessageContaining("[vda]");
    }

    @Test
    void aFileConsoleNeedsAConsoleDir() {
        assertThatThrownBy(() -> RecoveryDomainXml.rewrite(SOURCE, new RecoveryDomainXml.Options("c", null, nbdDisk(),
                null, null, false, null)))
                .isInstanceOf(HypervisorException.class).hasMessageContaining("consoleDir");
    }

    @Test
    void rejectsWhatIsNotADomain() {
        RecoveryDomainXml.Options o = options(nbdDisk(), null, null, false);
        assertThatThrownBy(() -> RecoveryDomainXml.rewrite("<network><name>default</name></network>", o))
                .isInstanceOf(HypervisorException.class).hasMessageContaining("not a <domain>");
        assertThatThrownBy(() -> RecoveryDomainXml.rewrite("<domain><name>x</name>", o))
                .isInstanceOf(HypervisorException.class).hasMessageContaining("unparsable XML");
        assertThatThrownBy(() -> RecoveryDomainXml.rewrite("""
                <!DOCTYPE domain [<!ENTITY e SYSTEM "file:///etc/passwd">]>
                <domain><name>&e;</name></domain>""", o))
                .isInstanceOf(HypervisorException.class).hasMessageContaining("unparsable XML");
    }

    @Test
    void nbdBackingStoreElement() {
        assertThat(RecoveryDomainXml.nbdBackingStore(NBD, null)).isEqualTo("""
                      <backingStore type='network'>
                        <format type='raw'/>
                        <source protocol='nbd' name='vda'>
                          <host transport='unix' socket='/var/lib/libvirt/qemu/ferry/x.sock'/>
                        </source>
                        <backingStore/>
                      </backingStore>
                """);
        String empty = RecoveryDomainXml.nbdBackingStore("nbd+unix:///?socket=/run/a.sock", "qcow2");
        assertThat(empty).contains("<format type='qcow2'/>").contains("<source protocol='nbd'>")
                .contains("socket='/run/a.sock'");
        assertThat(RecoveryDomainXml.nbdBackingStore("nbd://host.example/exp", "raw"))
                .contains("name='exp'").contains("<host name='host.example' port='10809'/>");
        assertThatThrownBy(() -> RecoveryDomainXml.nbdBackingStore("nbd+unix:///vda", "raw"))
                .isInstanceOf(HypervisorException.class).hasMessageContaining("socket=");
        assertThatThrownBy(() -> RecoveryDomainXml.nbdBackingStore("file:///x.raw", "raw"))
                .isInstanceOf(HypervisorException.class).hasMessageContaining("not NBD");
    }
}
