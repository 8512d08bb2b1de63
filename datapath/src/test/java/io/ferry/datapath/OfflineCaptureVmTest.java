package io.ferry.datapath;

import io.ferry.repository.ProgressListener;
import io.ferry.datapath.capture.CaptureMode;
import io.ferry.datapath.capture.CaptureOptions;
import io.ferry.datapath.capture.CaptureResult;
import io.ferry.datapath.capture.MachineCapture;
import io.ferry.hypervisor.DomainState;
import io.ferry.hypervisor.Libvirt;
import io.ferry.lab.LabVm;
import io.ferry.lab.LabVmSpec;
import io.ferry.lab.RecordVerifier;
import io.ferry.repository.Repository;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A machine powered off after its last capture: the final sync reads the disk images through
 * qemu-nbd with the checkpoint's bitmap, gets every write up to the power-off, and change
 * tracking carries on when the machine runs again.
 */
class OfflineCaptureVmTest {
    @Test
    void aPoweredOffMachineIsCapturedIncrementallyUpToItsLastWrite(@TempDir Path dir) throws Exception {
        VmTests.assumeEnabled();
        Libvirt lv = Libvirt.system();
        try (Repository repo = Fixtures.newRepo(dir.resolve("repo"));
             LabVm vm = VmTests.writingVm(lv, "offline", 128L << 20, 60, 0, 0)) {
            vm.waitForConsole(Pattern.compile("FERRY-PROGRESS seq=\\d+"), Duration.ofSeconds(90));
            MachineCapture capture = new MachineCapture(lv, repo, CaptureOptions.defaults());
            CaptureResult live = capture.capture(vm.name(), ProgressListener.NONE);
            Thread.sleep(3000); // the guest keeps writing after the point
            vm.destroy();       // power off (hard): the disks are as the guest last wrote them
            assertThat(lv.domain(vm.name()).state()).isEqualTo(DomainState.SHUTOFF);

            var onDisk = RecordVerifier.verifyQcow2(vm.disk("vda"));
            long atLive = Fixtures.verifyRecords(repo, live.point(), dir).records();
            assertThat(onDisk.records()).as("the guest wrote after the live point").isGreaterThan(atLive);

            CaptureResult offline = capture.capture(vm.name(), ProgressListener.NONE);
            assertThat(offline.mode()).isEqualTo(CaptureMode.INCREMENTAL);
            assertThat(offline.point().attributes()).containsEntry("domainState", "shutoff");
            assertThat(Fixtures.verifyRecords(repo, offline.point(), dir).records())
                    .as("nothing written before the power-off is lost").isEqualTo(onDisk.records());
            long changed = (onDisk.records() - atLive) * 4096;
            assertThat(offline.bytesRead()).isLessThanOrEqualTo(changed + 2L * repo.chunkSize());
            Path ref = dir.resolve("vda-ref.raw");
            VmTests.run("qemu-img", "convert", "-f", "qcow2", "-O", "raw", vm.disk("vda").toString(), ref.toString());
            assertThat(Files.mismatch(Fixtures.restoreRaw(repo, offline.point(), "vda", dir), ref)).isEqualTo(-1L);

            // running again, the checkpoint made while it was off carries on
            vm.restart(LabVmSpec.Mode.WRITE);
            vm.waitForConsole(Pattern.compile("FERRY-PROGRESS seq=\\d+"), Duration.ofSeconds(90));
            Thread.sleep(2000);
            CaptureResult again = capture.capture(vm.name(), ProgressListener.NONE);
            assertThat(again.mode()).isEqualTo(CaptureMode.INCREMENTAL);
            var v = Fixtures.verifyRecords(repo, again.point(), dir);
            assertThat(v.ok()).as(v.problem()).isTrue();
            assertThat(v.records()).isGreaterThan(onDisk.records());

            // a disk added to the machine: change tracking no longer covers every disk
            Path vdb = VmTests.imageDir().resolve(vm.name() + "-added-vdb.qcow2");
            try {
                io.ferry.hypervisor.QemuImg.create(vdb, "qcow2", 32L << 20);
                VmTests.run("virsh", "-c", "qemu:///system", "attach-disk", vm.name(), vdb.toString(), "vdb",
                        "--driver", "qemu", "--subdriver", "qcow2", "--targetbus", "virtio", "--live");
                int before = repo.points().size();
                org.assertj.core.api.Assertions.assertThatThrownBy(() -> capture.capture(vm.name(), ProgressListener.NONE))
                        .isInstanceOf(io.ferry.datapath.capture.ResyncRequiredException.class)
                        .hasMessageContaining("2 disks");
                assertThat(repo.points()).hasSize(before);
                CaptureResult resync = new MachineCapture(lv, repo, CaptureOptions.defaults().withResync(true))
                        .capture(vm.name(), ProgressListener.NONE);
                assertThat(resync.mode()).isEqualTo(CaptureMode.RESYNC);
                assertThat(resync.point().disks()).extracting(d -> d.name()).containsExactly("vda", "vdb");
                assertThat(resync.disks().get(0).unchangedChunks()).as("vda compared with the last point").isPositive();
                assertThat(Fixtures.verifyRecords(repo, resync.point(), dir).ok()).isTrue();
                assertThat(capture.capture(vm.name(), ProgressListener.NONE).mode()).isEqualTo(CaptureMode.INCREMENTAL);
            } finally {
                vm.destroy();
                Files.deleteIfExists(vdb);
            }
        }
    }
}
