package io.ferry.datapath;

import io.ferry.repository.ProgressListener;
import io.ferry.datapath.capture.CaptureMode;
import io.ferry.datapath.capture.CaptureOptions;
import io.ferry.datapath.capture.CaptureResult;
import io.ferry.datapath.capture.MachineCapture;
import io.ferry.hypervisor.Libvirt;
import io.ferry.lab.LabVm;
import io.ferry.repository.Repository;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** On a 2 GiB disk, an incremental capture costs what changed, not what the disk holds. */
class IncrementalCostVmTest {
    private static final long RECORD = 4096;
    private static final long MAX_RECORDS = 2560; // 10 MiB

    @Test
    void anIncrementalOfTenMebibytesOnATwoGibibyteDiskReadsAndStoresAboutTenMebibytes(@TempDir Path dir)
            throws Exception {
        VmTests.assumeEnabled();
        Libvirt lv = Libvirt.system();
        try (Repository repo = Fixtures.newRepo(dir.resolve("repo"));
             LabVm vm = VmTests.writingVm(lv, "cost", 2L << 30, 150, MAX_RECORDS, 0)) {
            vm.waitForConsole(Pattern.compile("FERRY-VERIFY records=0 status=ok"), Duration.ofSeconds(90));
            MachineCapture capture = new MachineCapture(lv, repo, CaptureOptions.defaults());
            CaptureResult full = capture.capture(vm.name(), ProgressListener.NONE);
            assertThat(full.mode()).isEqualTo(CaptureMode.FULL);
            long atFull = Fixtures.verifyRecords(repo, full.point(), dir).records();
            vm.waitForConsole(Pattern.compile("FERRY-DONE records=" + MAX_RECORDS), Duration.ofSeconds(180));

            CaptureResult inc = capture.capture(vm.name(), ProgressListener.NONE);
            assertThat(inc.mode()).isEqualTo(CaptureMode.INCREMENTAL);
            var v = Fixtures.verifyRecords(repo, inc.point(), dir);
            assertThat(v.ok()).isTrue();
            assertThat(v.records()).isEqualTo(MAX_RECORDS);

            long changed = (MAX_RECORDS - atFull) * RECORD;
            long slack = 2L * repo.chunkSize(); // partial chunks at both ends of the written range
            long bitmapSlack = 2L * 64 * 1024; // the dirty bitmap's granularity at both ends
            assertThat(changed).as("the guest wrote after the full capture").isPositive();
            assertThat(inc.bytesRead()).as("incremental reads what changed, at bitmap granularity")
                    .isBetween(changed, changed + bitmapSlack);
            assertThat(inc.plainBytesStored()).as("incremental stores what changed").isLessThanOrEqualTo(changed + slack);
            assertThat(inc.bytesStored()).as("stored bytes, after compression").isLessThanOrEqualTo(changed + slack);
            assertThat(inc.bytesRead()).as("not the disk").isLessThan((2L << 30) / 100);
            System.out.printf("2 GiB disk: full read %d B; incremental changed %d B, read %d B, stored %d B%n",
                    full.bytesRead(), changed, inc.bytesRead(), inc.bytesStored());
        }
    }
}
