package io.ferry.datapath;

import io.ferry.hypervisor.Libvirt;
import io.ferry.lab.LabVm;
import io.ferry.lab.LabVmSpec;
import io.ferry.repository.VerifyReport;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Helpers for tests that boot real lab VMs under libvirt/QEMU (TCG). */
final class VmTests {
    private VmTests() { }

    /** Skips the test when VM tests are switched off ({@code -Dferry.skipVmTests=true}). */
    static void assumeEnabled() {
        Assumptions.assumeFalse(Boolean.getBoolean("ferry.skipVmTests"), "VM tests switched off");
    }

    static Path imageDir() throws IOException {
        Files.createDirectories(LabVm.IMAGE_DIR);
        return LabVm.IMAGE_DIR;
    }

    /** A VM writing records to vda at {@code rate}/s (0 = flat out) until {@code max} (0 = no limit), with a prefilled vdb. */
    static LabVm writingVm(Libvirt lv, String name, long diskSize, long rate, long max, long vdbSize) {
        LabVmSpec.Builder b = LabVmSpec.builder().namePrefix("ferry-lab-dp-" + name).diskSize(diskSize)
                .mode(LabVmSpec.Mode.WRITE).rate(rate).max(max);
        if (vdbSize > 0) {
            b.extraDisk(LabVmSpec.ExtraDisk.prefilled(vdbSize, vdbSize / 4, vdbSize / 8, 42));
        }
        return LabVm.create(lv, b.build());
    }

    /** A VM booting from an existing image (e.g. an overlay on an NBD export) that only verifies. */
    static LabVm verifyingVmOn(Libvirt lv, String name, Path image) {
        return LabVm.create(lv, LabVmSpec.builder().namePrefix("ferry-lab-dp-" + name).mode(LabVmSpec.Mode.VERIFY)
                .existingDisk(image).build());
    }

    /** Runs a command, returns its output; fails with the output if it exits non-zero. */
    static String run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(300, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", cmd) + " timed out");
        }
        String s = new String(out, StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " exited " + p.exitValue() + ": " + s);
        }
        return s;
    }

    static void deleteTree(Path dir) throws IOException {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** Point ids the verify report says are affected by the blob named {@code hex}. */
    static List<String> affectedPoints(VerifyReport report, String hex) {
        return report.damaged().stream().filter(d -> d.key().contains(hex))
                .flatMap(d -> d.pointIds().stream()).distinct().toList();
    }
}
