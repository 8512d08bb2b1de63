package io.ferry.cli;

import io.ferry.repository.ProgressListener;
import io.ferry.datapath.capture.CaptureOptions;
import io.ferry.datapath.capture.CaptureResult;
import io.ferry.datapath.capture.MachineCapture;
import io.ferry.datapath.restore.ImageFormat;
import io.ferry.datapath.restore.Materializer;
import io.ferry.datapath.restore.PointDisk;
import io.ferry.hypervisor.Libvirt;
import io.ferry.lab.LabVm;
import io.ferry.lab.LabVmSpec;
import io.ferry.lab.RecordVerifier;
import io.ferry.repository.Encryption;
import io.ferry.repository.KeySource;
import io.ferry.repository.Repository;
import io.ferry.repository.RepositoryConfig;
import io.ferry.repository.RepositoryFullException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Faults around a capture of a real VM: the capture killed with SIGKILL, an unknown domain, a
 * repository without permission, a full filesystem, a wrong key. Each ends in a clear error and
 * leaves the repository intact.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CaptureFaultsVmTest {
    private final Libvirt libvirt = Libvirt.system();
    private LabVm vm;

    @BeforeAll
    void startVm() {
        Assumptions.assumeFalse(Boolean.getBoolean("ferry.skipVmTests"), "VM tests switched off");
        // 200 records on vda, then the guest idles; vdb holds 96 MiB of random data
        vm = LabVm.create(libvirt, LabVmSpec.builder().namePrefix("ferry-lab-faults").diskSize(128L << 20)
                .mode(LabVmSpec.Mode.WRITE).rate(0).max(200)
                .extraDisk(LabVmSpec.ExtraDisk.prefilled(128L << 20, 16L << 20, 96L << 20, 7)).build());
        vm.waitForConsole(Pattern.compile("FERRY-DONE records=200"), Duration.ofSeconds(120));
    }

    @AfterAll
    void stopVm() {
        if (vm != null) {
            vm.close();
        }
    }

    @Test
    void aCaptureKilledMidwayLeavesNoPointAndTheNextRunDoesNotStoreAgainWhatWasStored(@TempDir Path dir) throws Exception {
        Path repoDir = dir.resolve("repo");
        Repository.initLocal(repoDir, RepositoryConfig.defaults(), new KeySource.None()).close();
        Process p = CliProcess.start("capture", vm.name(), "--repo", repoDir.toString(), "--limit", "24");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (chunkFiles(repoDir) < 80 && System.nanoTime() < deadline && p.isAlive()) {
            Thread.sleep(100);
        }
        assertThat(p.isAlive()).as("capture still running when killed").isTrue();
        p.destroyForcibly(); // SIGKILL
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        long stored = chunkFiles(repoDir);
        assertThat(stored).isGreaterThanOrEqualTo(80);

        try (Repository repo = Repository.openLocal(repoDir, new KeySource.None())) {
            assertThat(repo.points()).as("no half point is visible").isEmpty();
            assertThat(repo.verify(null).clean()).isTrue();
            // the next run ends the backup job the dead capture left, and resumes
            CaptureResult r = new MachineCapture(libvirt, repo, CaptureOptions.defaults()).capture(vm.name(),
                    ProgressListener.NONE);
            assertThat(r.chunksAlreadyStored()).as("chunks stored before the kill are not sent again").isEqualTo(stored);
            long nonZero = r.disks().stream().mapToLong(d -> d.chunksRead() - d.zeroChunks()).sum();
            assertThat(r.chunksStored()).isEqualTo(nonZero - stored);
            assertThat(repo.verify(null).clean()).isTrue();
            assertThat(RecordVerifier.verify(restore(repo, r, dir)).records()).isEqualTo(200);
            assertThat(libvirt.checkpoints(vm.name())).extracting(c -> c.name())
                    .containsExactly(r.point().attributes().get(MachineCapture.ATTR_CHECKPOINT));
        }
    }

    @Test
    void anUnknownDomainIsAClearError(@TempDir Path dir) throws Exception {
        Path repoDir = dir.resolve("repo");
        Repository.initLocal(repoDir, RepositoryConfig.defaults(), new KeySource.None()).close();
        Map<String, Long> before = snapshot(repoDir);
        CliProcess.Result r = CliProcess.run("capture", "no-such-domain-ferry", "--repo", repoDir.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("no-such-domain-ferry").contains("virsh list --all");
        assertThat(snapshot(repoDir)).isEqualTo(before);
    }

    @Test
    void aRepositoryWithoutPermissionIsAClearError(@TempDir Path dir) throws Exception {
        Path repoDir = dir.resolve("repo");
        Repository.initLocal(repoDir, RepositoryConfig.defaults(), new KeySource.None()).close();
        Map<String, Long> before = snapshot(repoDir);
        List<String> checkpointsBefore = libvirt.checkpoints(vm.name()).stream().map(c -> c.name()).toList();
        // owned by nobody, mode 0700; the ferry process runs as root without the capabilities that bypass permissions
        Process chown = new ProcessBuilder("chown", "-R", "nobody:nogroup", repoDir.toString()).start();
        assertThat(chown.waitFor()).isZero();
        Files.setPosixFilePermissions(repoDir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        List<String> noDac = List.of("setpriv", "--inh-caps=-dac_override,-dac_read_search",
                "--bounding-set=-dac_override,-dac_read_search");
        CliProcess.Result r = CliProcess.run(noDac, "capture", vm.name(), "--repo", repoDir.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains(repoDir.toString()).contains("not readable").contains("check ownership/mode");
        assertThat(snapshot(repoDir)).isEqualTo(before);
        assertThat(libvirt.checkpoints(vm.name()).stream().map(c -> c.name()).toList())
                .as("nothing done to the domain").isEqualTo(checkpointsBefore);
    }

    @Test
    void aFullFilesystemFailsTheCaptureAndKeepsEarlierPointsIntact(@TempDir Path dir) throws Exception {
        Path mount = dir.resolve("small");
        Files.createDirectories(mount);
        Process m = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", mount.toString()).start();
        Assumptions.assumeTrue(m.waitFor() == 0, "cannot mount a tmpfs here");
        try {
            Path repoDir = mount.resolve("repo");
            try (Repository repo = Repository.initLocal(repoDir, RepositoryConfig.defaults(), new KeySource.None())) {
                // a first point of another machine fits
                Path img = dir.resolve("small.qcow2");
                io.ferry.hypervisor.QemuImg.create(img, "qcow2", 4L << 20);
                var q = io.ferry.hypervisor.QemuNbd.exportWritable(img, "qcow2", dir.resolve("w.sock"));
                try (var c = io.ferry.nbd.NbdClient.connect(new io.ferry.nbd.NbdAddress.Unix(q.socket()), "", List.of())) {
                    byte[] data = new byte[1 << 20];
                    new java.util.Random(3).nextBytes(data);
                    c.write(0, data, 0, data.length);
                    c.flush();
                } finally {
                    q.close();
                }
                var first = new io.ferry.datapath.capture.NbdDiskCapture(repo, CaptureOptions.defaults())
                        .capture("small", List.of(new io.ferry.datapath.capture.NbdDiskCapture.Disk("vda",
                                new io.ferry.nbd.NbdAddress.Unix(startRo(img, dir)), "")), ProgressListener.NONE);
                // the VM's 96 MiB of random data do not fit in 24 MiB
                MachineCapture capture = new MachineCapture(libvirt, repo, CaptureOptions.defaults());
                List<String> checkpointsBefore = libvirt.checkpoints(vm.name()).stream().map(c -> c.name()).toList();
                assertThatThrownBy(() -> capture.capture(vm.name(), ProgressListener.NONE))
                        .hasCauseInstanceOf(RepositoryFullException.class)
                        .satisfies(e -> assertThat(fullMessage(e)).containsIgnoringCase("full"));
                assertThat(repo.points()).extracting(x -> x.id()).containsExactly(first.point().id());
                assertThat(libvirt.checkpoints(vm.name()).stream().map(c -> c.name()).toList())
                        .as("the failed capture removed its checkpoint").isEqualTo(checkpointsBefore);
            }
            try (Repository repo = Repository.openLocal(repoDir, new KeySource.None())) {
                assertThat(repo.verify(null).clean()).isTrue();
            }
        } finally {
            stopRo();
            new ProcessBuilder("umount", "-l", mount.toString()).start().waitFor();
        }
    }

    @Test
    void aWrongKeyIsAClearErrorAndChangesNothing(@TempDir Path dir) throws Exception {
        Path repoDir = dir.resolve("repo");
        Path good = dir.resolve("good.pass");
        Path bad = dir.resolve("bad.pass");
        Files.writeString(good, "correct horse battery staple\n");
        Files.writeString(bad, "incorrect horse\n");
        try (Repository repo = Repository.initLocal(repoDir, RepositoryConfig.defaults().withEncryption(Encryption.PASSPHRASE)
                .withKdfIterations(10_000), new KeySource.Passphrase("correct horse battery staple".toCharArray()))) {
            assertThat(repo.encrypted()).isTrue();
        }
        CliProcess.Result ok = CliProcess.run("capture", vm.name(), "--repo", repoDir.toString(),
                "--passphrase-file", good.toString(), "-o", "json");
        assertThat(ok.exit()).as(ok.err()).isZero();
        Map<String, Long> before = snapshot(repoDir);
        CliProcess.Result wrong = CliProcess.run("capture", vm.name(), "--repo", repoDir.toString(),
                "--passphrase-file", bad.toString());
        assertThat(wrong.exit()).isEqualTo(1);
        assertThat(wrong.err()).containsIgnoringCase("wrong").contains(repoDir.toString());
        CliProcess.Result none = CliProcess.run("repo", "ls", "--repo", repoDir.toString());
        assertThat(none.exit()).isEqualTo(1);
        assertThat(none.err()).containsIgnoringCase("encrypted");
        assertThat(snapshot(repoDir)).isEqualTo(before);
        CliProcess.Result verify = CliProcess.run("repo", "verify", "--repo", repoDir.toString(),
                "--passphrase-file", good.toString());
        assertThat(verify.exit()).as(verify.out() + verify.err()).isZero();
        // the encrypted point restores to the guest's records
        try (Repository repo = Repository.openLocal(repoDir, new KeySource.Passphrase("correct horse battery staple".toCharArray()))) {
            var p = repo.points().get(0);
            Path raw = dir.resolve("enc.raw");
            new Materializer(repo, 2).toNewImage(new PointDisk(repo, p, "vda"), raw, ImageFormat.RAW, ProgressListener.NONE);
            assertThat(RecordVerifier.verify(raw).records()).isEqualTo(200);
        }
    }

    // ------------------------------------------------------------------ helpers

    private io.ferry.hypervisor.QemuNbd ro;

    private Path startRo(Path img, Path dir) {
        ro = io.ferry.hypervisor.QemuNbd.exportReadOnly(img, "qcow2", null, dir.resolve("ro.sock"));
        return ro.socket();
    }

    private void stopRo() {
        if (ro != null) {
            ro.close();
            ro = null;
        }
    }

    private static String fullMessage(Throwable t) {
        StringBuilder sb = new StringBuilder();
        for (Throwable x = t; x != null; x = x.getCause()) {
            sb.append(x.getMessage()).append(" | ");
        }
        return sb.toString();
    }

    private static Path restore(Repository repo, CaptureResult r, Path dir) throws IOException {
        Path raw = dir.resolve("restored-" + r.point().id() + ".raw");
        new Materializer(repo, 2).toNewImage(new PointDisk(repo, r.point(), "vda"), raw, ImageFormat.RAW,
                ProgressListener.NONE);
        return raw;
    }

    private static long chunkFiles(Path repo) throws IOException {
        Path chunks = repo.resolve("chunks");
        if (!Files.exists(chunks)) {
            return 0;
        }
        for (int attempt = 0; ; attempt++) {
            // the capture renames temporary files while we walk: a vanished entry means "look again"
            try (Stream<Path> s = Files.walk(chunks)) {
                return s.filter(Files::isRegularFile).filter(f -> !f.getFileName().toString().startsWith(".")).count();
            } catch (java.io.UncheckedIOException e) {
                if (attempt >= 20) {
                    throw e;
                }
            }
        }
    }

    /** Every file of the repository with its size and modification time. */
    private static Map<String, Long> snapshot(Path repo) throws IOException {
        Map<String, Long> m = new TreeMap<>();
        try (Stream<Path> s = Files.walk(repo)) {
            for (Path f : s.filter(Files::isRegularFile).toList()) {
                m.put(repo.relativize(f) + ":" + Files.size(f), Files.getLastModifiedTime(f).toMillis());
            }
        }
        return m;
    }
}
