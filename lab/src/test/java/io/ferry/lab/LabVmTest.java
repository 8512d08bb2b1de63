package io.ferry.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.ferry.hypervisor.DomainState;
import io.ferry.hypervisor.Libvirt;
import io.ferry.hypervisor.QemuImg;
import io.ferry.hypervisor.QemuNbd;
import io.ferry.hypervisor.UnknownDomainException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Boots the lab guest for real (TCG). */
class LabVmTest {
    static final Duration BOOT = Duration.ofSeconds(90);
    final Libvirt lv = Libvirt.system();

    @Test
    void writesVerifiesRebootsAndBootsFromAnNbdBackedOverlay() throws Exception {
        assumeFalse(Boolean.getBoolean("ferry.skipVmTests"), "VM tests skipped");
        LabVmSpec.ExtraDisk vdb = LabVmSpec.ExtraDisk.prefilled(16L << 20, 3L << 20, 1L << 20, 42);
        LabVmSpec spec = LabVmSpec.builder().namePrefix("ferry-lab-t").mode(LabVmSpec.Mode.WRITE).max(500)
                .extraDisk(vdb).build();
        String name;
        Path vda;
        try (LabVm vm = LabVm.create(lv, spec)) {
            name = vm.name();
            vda = vm.disk("vda");
            assertThat(name).matches("ferry-lab-t-[0-9a-f]{8}");
            long t = System.nanoTime();
            vm.waitForConsole(Pattern.compile("FERRY-VERIFY records=0 status=ok"), BOOT);
            System.out.printf("lab guest booted to the workload in %d ms%n", (System.nanoTime() - t) / 1_000_000);
            vm.waitForConsole(Pattern.compile("FERRY-DONE records=500"), BOOT);
            assertThat(vm.consoleText()).contains("FERRY-PROGRESS seq=256");

            vm.pause();
            assertThat(vm.state()).isEqualTo(DomainState.PAUSED);
            vm.resume();
            vm.destroy();
            assertThat(RecordVerifier.verifyQcow2(vda)).isEqualTo(new VerifyResult(500, true, null));

            // the prefilled extra disk holds exactly the seeded bytes in its range, zeros elsewhere
            Path raw = Files.createTempFile("ferry-lab-vdb-", ".raw");
            try {
                QemuImg.convert(vm.disk("vdb"), "qcow2", raw, "raw");
                byte[] all = Files.readAllBytes(raw);
                assertThat(all).hasSize(16 << 20);
                assertThat(Arrays.copyOfRange(all, 3 << 20, 4 << 20)).isEqualTo(vdb.expectedPrefill());
                assertThat(Arrays.copyOfRange(all, 0, 3 << 20)).containsOnly(0);
            } finally {
                Files.deleteIfExists(raw);
            }

            // the same disk in verify mode
            vm.restart(LabVmSpec.Mode.VERIFY);
            var m = vm.waitForConsole(Pattern.compile("FERRY-VERIFY records=(\\d+) status=(\\w+)"), BOOT);
            assertThat(m.group(1)).isEqualTo("500");
            assertThat(m.group(2)).isEqualTo("ok");
            vm.destroy();

            // boot a qcow2 overlay whose backing file is an NBD export of that disk
            Path sockDir = Path.of("/var/lib/libvirt/qemu/ferry");
            Files.createDirectories(sockDir);
            Path sock = sockDir.resolve(name + "-exp.sock");
            Path overlay = LabVm.IMAGE_DIR.resolve(name + "-overlay.qcow2");
            try (QemuNbd nbd = QemuNbd.exportReadOnly(vda, "qcow2", null, sock)) {
                LabVm.shareWithQemu(sock);
                QemuImg.createOverlay(overlay, nbd.uri(), "raw");
                assertThat(QemuImg.info(overlay).backingFile()).isEqualTo(nbd.uri());
                try (LabVm fromNbd = LabVm.create(lv, LabVmSpec.builder().namePrefix("ferry-lab-t")
                        .mode(LabVmSpec.Mode.WRITE).max(600).existingDisk(overlay).build())) {
                    fromNbd.waitForConsole(Pattern.compile("FERRY-VERIFY records=500 status=ok"), BOOT);
                    fromNbd.waitForConsole(Pattern.compile("FERRY-DONE records=600"), BOOT);
                    fromNbd.destroy();
                }
                assertThat(RecordVerifier.verifyQcow2(overlay).records()).isEqualTo(600); // reads through NBD
            } finally {
                Files.deleteIfExists(overlay);
            }
            assertThat(RecordVerifier.verifyQcow2(vda).records()).isEqualTo(500); // backing untouched
        }
        assertThat(vda).doesNotExist();
        assertThat(LabVm.CONSOLE_DIR.resolve(name + ".console")).doesNotExist();
        try {
            lv.domain(name);
            throw new AssertionError("domain still defined");
        } catch (UnknownDomainException expected) {
            // cleaned up
        }
    }
}
