package io.ferry.datapath;

import io.ferry.repository.ProgressListener;
import io.ferry.datapath.capture.CaptureMode;
import io.ferry.datapath.capture.CaptureOptions;
import io.ferry.datapath.capture.CaptureResult;
import io.ferry.datapath.capture.MachineCapture;
import io.ferry.datapath.capture.ResyncRequiredException;
import io.ferry.datapath.restore.ImageFormat;
import io.ferry.datapath.restore.Materializer;
import io.ferry.datapath.restore.PointDisk;
import io.ferry.datapath.restore.PointExport;
import io.ferry.datapath.restore.RawFileTarget;
import io.ferry.datapath.restore.RestoreResult;
import io.ferry.hypervisor.Libvirt;
import io.ferry.hypervisor.QemuImg;
import io.ferry.lab.LabVm;
import io.ferry.lab.VerifyResult;
import io.ferry.nbd.NbdAddress;
import io.ferry.nbd.NbdServer;
import io.ferry.nbd.UnixSocketAccess;
import io.ferry.repository.PointManifest;
import io.ferry.repository.Repository;
import io.ferry.repository.VerifyReport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Capture and restore of a real libvirt/QEMU (TCG) VM whose guest writes verifiable records
 * while it is captured. The tests share one VM and one repository and run in order.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LiveCaptureVmTest {
    private final Libvirt libvirt = Libvirt.system();
    private LabVm vm;
    private Path work;
    private Repository repo;
    private MachineCapture capture;
    private final List<PointManifest> points = new ArrayList<>();

    @BeforeAll
    void startVm() throws Exception {
        VmTests.assumeEnabled();
        work = Files.createTempDirectory("ferry-live-");
        repo = Fixtures.newRepo(work.resolve("repo"));
        capture = new MachineCapture(libvirt, repo, CaptureOptions.defaults());
        vm = VmTests.writingVm(libvirt, "live", 256L << 20, 40, 0, 64L << 20);
        vm.waitForConsole(Pattern.compile("FERRY-VERIFY records=0 status=ok"), Duration.ofSeconds(90));
        vm.waitForConsole(Pattern.compile("FERRY-PROGRESS seq=\\d+"), Duration.ofSeconds(60));
    }

    @AfterAll
    void stopVm() throws Exception {
        if (vm != null) {
            vm.close();
        }
        if (repo != null) {
            repo.close();
        }
        VmTests.deleteTree(work);
    }

    @Test
    @Order(1)
    void fullThenFiveIncrementalsWhileTheGuestWrites() throws Exception {
        long previous = -1;
        for (int i = 0; i < 6; i++) {
            CaptureResult r = capture.capture(vm.name(), ProgressListener.NONE);
            assertThat(r.mode()).isEqualTo(i == 0 ? CaptureMode.FULL : CaptureMode.INCREMENTAL);
            assertThat(r.point().disks()).extracting(d -> d.name()).containsExactly("vda", "vdb");
            points.add(r.point());
            VerifyResult v = Fixtures.verifyRecords(repo, r.point(), work);
            assertThat(v.ok()).as("point %d: %s", i, v.problem()).isTrue();
            assertThat(v.records()).as("records grow from point to point").isGreaterThan(previous);
            previous = v.records();
            if (i > 0) {
                // vdb never changes: its index is shared, nothing of it is read again
                assertThat(r.point().disk("vdb").index()).isEqualTo(points.get(0).disk("vdb").index());
                assertThat(r.disks().get(1).bytesRead()).isZero();
            }
            Thread.sleep(1500);
        }
        assertThat(points.get(5).parentId()).isEqualTo(points.get(4).id());
        // only the checkpoint of the newest point is kept
        assertThat(libvirt.checkpoints(vm.name())).extracting(c -> c.name())
                .containsExactly(points.get(5).attributes().get(MachineCapture.ATTR_CHECKPOINT));
        // the prefilled second disk comes back byte for byte
        Path vdb = Fixtures.restoreRaw(repo, points.get(5), "vdb", work);
        var spec = vm.spec().extraDisks().get(0);
        byte[] restored = Files.readAllBytes(vdb);
        byte[] expected = new byte[(int) spec.size()];
        System.arraycopy(spec.expectedPrefill(), 0, expected, (int) spec.prefillOffset(), (int) spec.prefillLength());
        assertThat(java.util.Arrays.equals(restored, expected)).as("vdb restored byte for byte").isTrue();
        Files.delete(vdb);
    }

    @Test
    @Order(2)
    void aPointTakenWhileThePausedGuestIsIdleIsByteIdenticalToAReferenceCopy() throws Exception {
        vm.pause();
        PointManifest p;
        Path ref = work.resolve("vda-ref.raw");
        try {
            p = capture.capture(vm.name(), ProgressListener.NONE).point();
            VmTests.run("qemu-img", "convert", "-U", "-f", "qcow2", "-O", "raw", vm.disk("vda").toString(), ref.toString());
        } finally {
            vm.resume();
        }
        points.add(p);
        Path restored = Fixtures.restoreRaw(repo, p, "vda", work);
        assertThat(Files.mismatch(restored, ref)).isEqualTo(-1L);
        // the same point as qcow2: qemu-img compares the guest-visible contents
        Path qcow = work.resolve("restored.qcow2");
        new Materializer(repo, 2).toNewImage(new PointDisk(repo, p, "vda"), qcow, ImageFormat.QCOW2, ProgressListener.NONE);
        assertThat(VmTests.run("qemu-img", "compare", "-f", "raw", "-F", "qcow2", ref.toString(), qcow.toString()))
                .contains("Images are identical");
        Files.delete(restored);
        Files.delete(qcow);
    }

    @Test
    @Order(3)
    void inPlaceRestoreWritesOnlyTheChunksThatDiffer() throws Exception {
        PointManifest older = points.get(1);
        PointManifest newer = points.get(points.size() - 1);
        Path target = Fixtures.restoreRaw(repo, older, "vda", work);
        long differing;
        try (var s = repo.openIndex(newer.disk("vda").index())
                .differingChunks(repo.openIndex(older.disk("vda").index()))) {
            differing = s.count();
        }
        assertThat(differing).isPositive();
        RestoreResult r;
        try (RawFileTarget t = RawFileTarget.open(target)) {
            r = new Materializer(repo, 2).inPlace(new PointDisk(repo, newer, "vda"), t, ProgressListener.NONE);
        }
        assertThat(r.chunksWritten()).isEqualTo(differing);
        assertThat(r.chunksCompared()).isEqualTo(r.chunks());
        Path expected = Fixtures.restoreRaw(repo, newer, "vda", work);
        assertThat(Files.mismatch(target, expected)).isEqualTo(-1L);
        // a second run finds nothing to write
        try (RawFileTarget t = RawFileTarget.open(target)) {
            assertThat(new Materializer(repo, 2).inPlace(new PointDisk(repo, newer, "vda"), t, ProgressListener.NONE)
                    .chunksWritten()).isZero();
        }
        Files.delete(target);
        Files.delete(expected);
    }

    @Test
    @Order(4)
    void aVmBootsFromAnNbdExportOfAPointThroughAnOverlay() throws Exception {
        PointManifest p = points.get(3);
        long expected = Fixtures.verifyRecords(repo, p, work).records();
        Files.createDirectories(Libvirt.SOCKET_DIR);
        Path socket = Libvirt.SOCKET_DIR.resolve("test-export-" + ProcessHandle.current().pid() + ".sock");
        Path overlay = VmTests.imageDir().resolve("overlay-" + ProcessHandle.current().pid() + ".qcow2");
        try (NbdServer server = NbdServer.start(new NbdAddress.Unix(socket),
                Map.of("vda", new PointExport(new PointDisk(repo, p, "vda"))), UnixSocketAccess.forUser("libvirt-qemu"))) {
            QemuImg.createOverlay(overlay, "nbd+unix:///vda?socket=" + socket, "raw");
            try (LabVm booted = VmTests.verifyingVmOn(libvirt, "boot-export", overlay)) {
                Matcher m = booted.waitForConsole(Pattern.compile("FERRY-VERIFY records=(\\d+) status=(\\w+)"),
                        Duration.ofSeconds(120));
                assertThat(m.group(2)).isEqualTo("ok");
                assertThat(Long.parseLong(m.group(1))).isEqualTo(expected);
            }
        } finally {
            Files.deleteIfExists(overlay);
        }
        // the point itself is untouched: writes went to the overlay
        assertThat(Fixtures.verifyRecords(repo, p, work).records()).isEqualTo(expected);
    }

    @Test
    @Order(5)
    void aCheckpointDeletedBehindFerrysBackMeansResyncRequiredAndTheResyncStoresOnlyDifferences() throws Exception {
        PointManifest last = points.get(points.size() - 1);
        String cp = last.attributes().get(MachineCapture.ATTR_CHECKPOINT);
        VmTests.run("virsh", "-c", "qemu:///system", "checkpoint-delete", vm.name(), cp);
        int before = repo.points().size();
        assertThatThrownBy(() -> capture.capture(vm.name(), ProgressListener.NONE))
                .isInstanceOf(ResyncRequiredException.class)
                .hasMessageContaining("resync required")
                .hasMessageContaining(cp)
                .hasMessageContaining("--resync");
        assertThat(repo.points()).hasSize(before);

        CaptureResult r = new MachineCapture(libvirt, repo, CaptureOptions.defaults().withResync(true))
                .capture(vm.name(), ProgressListener.NONE);
        assertThat(r.mode()).isEqualTo(CaptureMode.RESYNC);
        long differing;
        try (var s = repo.openIndex(r.point().disk("vda").index()).differingChunks(repo.openIndex(last.disk("vda").index()))) {
            differing = s.count();
        }
        var vda = r.disks().get(0);
        assertThat(vda.chunksStored()).isLessThanOrEqualTo(differing);
        assertThat(vda.unchangedChunks()).isPositive();
        assertThat(vda.chunksRead()).isEqualTo(vda.unchangedChunks() + vda.zeroChunks() + vda.chunksStored()
                + vda.chunksAlreadyStored());
        assertThat(vda.chunksStored() + vda.chunksAlreadyStored()).as("only differing chunks are considered for storing")
                .isLessThanOrEqualTo(differing);
        assertThat(r.disks().get(1).chunksStored()).as("vdb did not change").isZero();
        assertThat(Fixtures.verifyRecords(repo, r.point(), work).ok()).isTrue();
        points.add(r.point());
        // change tracking is healthy again: the next capture is incremental
        assertThat(capture.capture(vm.name(), ProgressListener.NONE).mode()).isEqualTo(CaptureMode.INCREMENTAL);
    }

    @Test
    @Order(6)
    void aCorruptedChunkIsNamedByVerifyAndRestoreFailsInsteadOfReturningWrongBytes() throws Exception {
        PointManifest newest = repo.points().get(repo.points().size() - 1);
        var index = repo.openIndex(newest.disk("vda").index());
        String hex = index.chunk(0).hex(); // chunk 0 holds the first records: referenced by every point
        Path chunkFile;
        try (Stream<Path> s = Files.walk(work.resolve("repo"))) {
            chunkFile = s.filter(f -> f.getFileName().toString().equals(hex)).findFirst().orElseThrow();
        }
        byte[] bytes = Files.readAllBytes(chunkFile);
        bytes[bytes.length / 2] ^= 0x40;
        Files.write(chunkFile, bytes);

        VerifyReport report = repo.verify(null);
        assertThat(report.toString()).contains(hex);
        assertThat(VmTests.affectedPoints(report, hex)).containsAll(repo.points().stream().map(PointManifest::id).toList());

        Path out = work.resolve("must-not-exist.raw");
        assertThatThrownBy(() -> new Materializer(repo, 2).toNewImage(new PointDisk(repo, newest, "vda"), out,
                ImageFormat.RAW, ProgressListener.NONE))
                .hasMessageContaining(hex)
                .hasMessageContaining(newest.id());
        assertThat(out).doesNotExist();

        // over NBD the damaged range is an I/O error, never wrong bytes
        Path socket = work.resolve("corrupt.sock");
        try (NbdServer server = NbdServer.start(new NbdAddress.Unix(socket),
                Map.of("vda", new PointExport(new PointDisk(repo, newest, "vda"))))) {
            Process p = new ProcessBuilder("nbdcopy", "nbd+unix:///vda?socket=" + socket, "null:")
                    .redirectErrorStream(true).start();
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).isNotZero();
        }
    }
}
