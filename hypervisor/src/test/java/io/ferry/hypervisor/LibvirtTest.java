package io.ferry.hypervisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Real libvirt, with a "blank" domain: a qcow2 disk and no bootable OS (SeaBIOS idles), enough for
 * checkpoints and pull-mode backups. Tests with a guest that writes are in ferry-lab.
 */
class LibvirtTest {
    static final Path DIR = Path.of("/var/lib/libvirt/images/ferry-lab");
    final Libvirt lv = Libvirt.system();
    String name;
    Path disk;

    @BeforeEach
    void define() throws Exception {
        assumeFalse(Boolean.getBoolean("ferry.skipVmTests"), "VM tests skipped");
        name = "ferry-lab-hv-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
        Files.createDirectories(DIR);
        disk = DIR.resolve(name + ".qcow2");
        QemuImg.create(disk, "qcow2", 64L << 20);
        lv.define("""
                <domain type='qemu'><name>%s</name><memory unit='MiB'>64</memory><vcpu>1</vcpu>
                  <os><type arch='x86_64' machine='pc'>hvm</type></os>
                  <devices>
                    <disk type='file' device='disk'><driver name='qemu' type='qcow2'/>
                      <source file='%s'/><target dev='vda' bus='virtio'/></disk>
                    <memballoon model='none'/>
                  </devices>
                </domain>""".formatted(name, disk));
    }

    @AfterEach
    void cleanup() throws Exception {
        if (name == null) return;
        try {
            if (lv.state(name).active()) lv.destroy(name);
            lv.undefine(name);
        } catch (UnknownDomainException gone) {
            // fine
        }
        Files.deleteIfExists(disk);
        Files.deleteIfExists(Path.of("/var/log/libvirt/qemu", name + ".log"));
    }

    @Test
    void unknownDomainHasHint() {
        assertThatThrownBy(() -> lv.domain("ferry-lab-no-such-domain-" + System.nanoTime()))
                .isInstanceOf(UnknownDomainException.class)
                .hasMessageContaining("ferry-lab-no-such-domain-")
                .hasMessageContaining("virsh dumpxml")
                .hasMessageContaining("virsh list --all");
        assertThatThrownBy(() -> lv.start("ferry-lab-no-such-domain"))
                .isInstanceOf(UnknownDomainException.class);
    }

    @Test
    void describesDomain() {
        DomainInfo d = lv.domain(name);
        assertThat(d.state()).isEqualTo(DomainState.SHUTOFF);
        assertThat(d.uuid()).hasSize(36);
        assertThat(d.disks()).containsExactly(new DiskInfo("vda", disk, "qcow2", 64L << 20));
        assertThat(lv.domain(d.uuid()).name()).isEqualTo(name);
        assertThat(lv.domains()).extracting(DomainInfo::name).contains(name);
    }

    @Test
    void offlineCheckpointsAndQemuNbdBitmapShowExactlyWhatChanged() throws Exception {
        // libvirt 9.0 cannot create checkpoints for inactive domains; Ferry adds the bitmap itself
        lv.createCheckpoint(name, "cp1");
        Sh.run("qemu-io", "-f", "qcow2", "-c", "write -P 0xab 1M 64k", "-c", "write -P 0xcd 10M 4k", disk.toString());
        lv.createCheckpoint(name, "cp2");
        Sh.run("qemu-io", "-f", "qcow2", "-c", "write -P 0xef 20M 128k", disk.toString());

        List<CheckpointInfo> cps = lv.checkpoints(name);
        assertThat(cps).extracting(CheckpointInfo::name).containsExactly("cp1", "cp2");
        assertThat(cps.get(1).parent()).isEqualTo("cp1");
        assertThat(cps.get(0).disks()).containsExactly("vda");
        assertThat(QemuImg.info(disk).bitmaps()).extracting(ImageInfo.Bitmap::name).containsExactly("cp1", "cp2");
        assertThat(lv.checkpointHealth(name, "cp1").status()).isEqualTo(CheckpointHealth.Status.OK);

        Path sock = Path.of("/tmp", name + ".sock");
        try (QemuNbd nbd = QemuNbd.exportReadOnly(disk, "qcow2", "cp1", sock)) {
            assertThat(nbd.exportName()).isEmpty();
            String map = Sh.run("nbdinfo", "--map=qemu:dirty-bitmap:cp1", nbd.uri());
            assertThat(dirty(map)).containsExactly(new long[] {1 << 20, 64 << 10}, new long[] {10 << 20, 64 << 10},
                    new long[] {20 << 20, 128 << 10});
            assertThat(Sh.run("nbdinfo", "--size", nbd.uri()).strip()).isEqualTo(Long.toString(64L << 20));
        }
        assertThat(sock).doesNotExist();
        try (QemuNbd nbd = QemuNbd.exportReadOnly(disk, "qcow2", "cp2", sock)) {
            assertThat(dirty(Sh.run("nbdinfo", "--map=qemu:dirty-bitmap:cp2", nbd.uri())))
                    .containsExactly(new long[] {20 << 20, 128 << 10});
        }

        // deleting cp1 offline merges nothing into a parent (none) and removes bitmap and metadata
        lv.deleteCheckpoint(name, "cp1");
        assertThat(lv.checkpoints(name)).extracting(CheckpointInfo::name).containsExactly("cp2");
        assertThat(QemuImg.info(disk).bitmaps()).extracting(ImageInfo.Bitmap::name).containsExactly("cp2");

        // a new offline checkpoint and a write after it
        lv.createCheckpoint(name, "cp3");
        assertThat(lv.checkpoints(name).get(1).parent()).isEqualTo("cp2");
        Sh.run("qemu-io", "-f", "qcow2", "-c", "write -P 0x11 30M 64k", disk.toString());

        // a bitmap removed behind Ferry's back
        QemuImg.removeBitmap(disk, "cp2");
        CheckpointHealth h = lv.checkpointHealth(name, "cp2");
        assertThat(h.status()).isEqualTo(CheckpointHealth.Status.BITMAP_MISSING);
        assertThat(h.disks().get(0).detail()).contains("cp2").contains(disk.toString());
        assertThat(lv.checkpointHealth(name, "nope").status()).isEqualTo(CheckpointHealth.Status.MISSING);

        // offline-created checkpoints are usable by libvirt once the domain runs
        lv.start(name);
        try (BackupSession b = lv.beginBackup(name, "cp3", "cp4", null)) {
            assertThat(b.dirtyBitmapContext("vda")).isEqualTo("qemu:dirty-bitmap:backup-vda");
            assertThat(dirty(Sh.run("nbdinfo", "--map=" + b.dirtyBitmapContext("vda"), b.uri("vda"))))
                    .containsExactly(new long[] {30 << 20, 64 << 10});
        }
        assertThat(lv.checkpointHealth(name, "cp4").status()).isEqualTo(CheckpointHealth.Status.OK);
    }

    @Test
    void fullBackupOfRunningDomainAndIdempotentClose() {
        lv.start(name);
        assertThat(lv.state(name)).isEqualTo(DomainState.RUNNING);
        BackupSession b = lv.beginBackup(name, null, "cp1", null);
        assertThat(b.socket()).exists().startsWith(Libvirt.SOCKET_DIR);
        assertThat(b.exportName("vda")).isEqualTo("vda");
        assertThat(b.dirtyBitmapContext("vda")).isNull();
        assertThat(b.diskSize("vda")).isEqualTo(64L << 20);
        assertThat(Sh.run("nbdinfo", "--size", b.uri("vda")).strip()).isEqualTo(Long.toString(64L << 20));
        assertThat(Sh.map(Sh.run("nbdinfo", "--map", b.uri("vda")))).isNotEmpty();
        assertThat(lv.jobType(name)).isNotEqualTo("None");
        assertThatThrownBy(() -> lv.beginBackup(name, null, null, null))
                .isInstanceOf(HypervisorException.class).hasMessageContaining("domjobabort");
        b.close();
        b.close();
        assertThat(lv.jobType(name)).isEqualTo("None");
        assertThat(b.socket()).doesNotExist();
        assertThat(lv.checkpoints(name)).extracting(CheckpointInfo::name).containsExactly("cp1");
        assertThat(lv.checkpointHealth(name, "cp1").status()).isEqualTo(CheckpointHealth.Status.OK);
        // pause/resume and a checkpoint deleted behind Ferry's back
        lv.suspend(name);
        assertThat(lv.state(name)).isEqualTo(DomainState.PAUSED);
        lv.resume(name);
        Sh.run("virsh", "-c", "qemu:///system", "checkpoint-delete", name, "cp1");
        assertThat(lv.checkpointHealth(name, "cp1").status()).isEqualTo(CheckpointHealth.Status.MISSING);
        assertThatThrownBy(() -> lv.beginBackup(name, null, null, List.of("vdz")))
                .isInstanceOf(HypervisorException.class).hasMessageContaining("vdz");
    }

    /** The dirty extents of an nbdinfo --map listing as [offset, length] pairs. */
    static List<long[]> dirty(String map) {
        return Sh.map(map).stream().filter(e -> e[2] == 1).map(e -> new long[] {e[0], e[1]}).toList();
    }
}
