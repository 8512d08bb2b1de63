package io.ferry.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.ferry.hypervisor.BackupSession;
import io.ferry.hypervisor.CheckpointHealth;
import io.ferry.hypervisor.CheckpointInfo;
import io.ferry.hypervisor.Libvirt;
import io.ferry.hypervisor.QemuImg;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The hypervisor driver's pull-mode backups against a guest whose workload keeps writing. */
class LabBackupTest {
    final Libvirt lv = Libvirt.system();

    @Test
    void fullThenIncrementalBackupsWhileTheWorkloadWrites() throws Exception {
        assumeFalse(Boolean.getBoolean("ferry.skipVmTests"), "VM tests skipped");
        try (LabVm vm = LabVm.create(lv, LabVmSpec.builder().namePrefix("ferry-lab-bk").mode(LabVmSpec.Mode.WRITE)
                .rate(200).build())) {
            String dom = vm.name();
            vm.waitForConsole(Pattern.compile("FERRY-PROGRESS seq=256"), Duration.ofSeconds(90));

            // full backup creating cp1 at the same instant
            long n1;
            try (BackupSession full = lv.beginBackup(dom, null, "cp1", null)) {
                assertThat(full.dirtyBitmapContext("vda")).isNull();
                assertThat(sh("nbdinfo", "--size", full.uri("vda")).strip()).isEqualTo(Long.toString(256L << 20));
                assertThat(sh("nbdinfo", "--map", full.uri("vda"))).isNotBlank();
                VerifyResult r = verifyExport(full, "vda");
                assertThat(r.ok()).as(r.toString()).isTrue();
                n1 = r.records();
                assertThat(n1).isGreaterThanOrEqualTo(256);
            }
            assertThat(lv.checkpoints(dom)).extracting(CheckpointInfo::name).containsExactly("cp1");

            // let the workload write a few hundred more records, then an incremental since cp1
            vm.waitForConsole(Pattern.compile("FERRY-PROGRESS seq=" + ((n1 / 256) + 2) * 256), Duration.ofSeconds(60));
            BackupSession inc = lv.beginBackup(dom, "cp1", "cp2", null);
            try {
                assertThat(inc.dirtyBitmapContext("vda")).isEqualTo("qemu:dirty-bitmap:backup-vda");
                List<long[]> dirty = dirtyExtents(sh("nbdinfo", "--map=" + inc.dirtyBitmapContext("vda"), inc.uri("vda")));
                assertThat(dirty).isNotEmpty();
                VerifyResult r = verifyExport(inc, "vda");
                assertThat(r.ok()).as(r.toString()).isTrue();
                long n2 = r.records();
                assertThat(n2).isGreaterThan(n1 + 256);
                // every byte the workload wrote between the two backups is in a dirty extent
                for (long off = n1 * 4096; off < n2 * 4096; off += 4096) {
                    long o = off;
                    assertThat(dirty.stream().anyMatch(e -> e[0] <= o && o + 4096 <= e[0] + e[1]))
                            .as("slot %d dirty", off / 4096).isTrue();
                }
                // and nothing far outside it (64 KiB granularity)
                long total = dirty.stream().mapToLong(e -> e[1]).sum();
                assertThat(total).isLessThanOrEqualTo((n2 - n1) * 4096 + 2 * 65536);
            } finally {
                inc.close();
                inc.close(); // idempotent
            }
            assertThat(lv.jobType(dom)).isEqualTo("None");
            assertThat(inc.socket()).doesNotExist();
            try (var s = Files.list(Libvirt.SCRATCH_DIR)) {
                assertThat(s.filter(p -> p.getFileName().toString().startsWith(dom)).toList()).isEmpty();
            }
            assertThat(lv.checkpointHealth(dom, "cp2").status()).isEqualTo(CheckpointHealth.Status.OK);

            // a checkpoint deleted behind Ferry's back
            sh("virsh", "-c", "qemu:///system", "checkpoint-delete", dom, "cp1");
            assertThat(lv.checkpointHealth(dom, "cp1").status()).isEqualTo(CheckpointHealth.Status.MISSING);
            // a bitmap removed from the running QEMU behind libvirt's back
            sh("virsh", "-c", "qemu:///system", "qemu-monitor-command", dom,
                    "{\"execute\":\"block-dirty-bitmap-remove\",\"arguments\":{\"node\":\"libvirt-1-format\",\"name\":\"cp2\"}}");
            assertThat(lv.checkpointHealth(dom, "cp2").status()).isEqualTo(CheckpointHealth.Status.BITMAP_MISSING);
        }
    }

    /** Copies the export to a temp raw file with qemu-img and verifies the records on it. */
    static VerifyResult verifyExport(BackupSession b, String disk) throws IOException {
        Path raw = Files.createTempFile("ferry-lab-export-", ".raw");
        try {
            QemuImg.convert(b.uri(disk), "raw", raw, "raw");
            return RecordVerifier.verify(raw);
        } finally {
            Files.deleteIfExists(raw);
        }
    }

    static List<long[]> dirtyExtents(String map) {
        return map.lines().map(String::strip).filter(l -> !l.isEmpty()).map(l -> l.split("\\s+"))
                .filter(f -> f[2].equals("1"))
                .map(f -> new long[] {Long.parseLong(f[0]), Long.parseLong(f[1])}).toList();
    }

    static String sh(String... argv) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError(String.join(" ", argv) + " failed: " + out);
        }
        return out;
    }
}
