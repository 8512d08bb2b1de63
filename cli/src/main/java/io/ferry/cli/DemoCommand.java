package io.ferry.cli;

import io.ferry.repository.ProgressListener;
import io.ferry.datapath.capture.CaptureOptions;
import io.ferry.datapath.capture.CaptureResult;
import io.ferry.datapath.capture.MachineCapture;
import io.ferry.datapath.restore.ImageFormat;
import io.ferry.datapath.restore.Materializer;
import io.ferry.datapath.restore.PointDisk;
import io.ferry.datapath.restore.PointExport;
import io.ferry.hypervisor.Libvirt;
import io.ferry.hypervisor.QemuImg;
import io.ferry.lab.LabVm;
import io.ferry.lab.LabVmSpec;
import io.ferry.lab.RecordVerifier;
import io.ferry.lab.VerifyResult;
import io.ferry.nbd.NbdAddress;
import io.ferry.nbd.NbdServer;
import io.ferry.repository.KeySource;
import io.ferry.repository.Repository;
import io.ferry.repository.RepositoryConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code ferry demo}: the data path end to end on a lab VM. A tiny guest writes numbered,
 * checksummed records to its disk; it is captured (full, then incrementals) while it writes;
 * every point is restored and verified; a second VM boots from an NBD export of the latest
 * point through a qcow2 overlay and verifies its records itself.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Capture a lab VM while it writes, restore and verify every point, boot a VM from an export.")
final class DemoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Option(names = "--dir", defaultValue = "/var/lib/ferry/demo", description = "Work directory (default ${DEFAULT-VALUE}).")
    Path dir;
    @Option(names = "--incrementals", defaultValue = "3", description = "Incremental captures after the full one.")
    int incrementals;
    @Option(names = "--keep", description = "Keep the repository after the demo.")
    boolean keep;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Libvirt lv = Libvirt.system();
        Files.createDirectories(dir);
        Path repoDir = dir.resolve("repo-" + System.currentTimeMillis());
        step(out, "creating repository " + repoDir);
        try (Repository repo = Repository.initLocal(repoDir, RepositoryConfig.defaults(), new KeySource.None());
             LabVm vm = LabVm.create(lv, LabVmSpec.builder().namePrefix("ferry-demo").diskSize(256L << 20)
                     .mode(LabVmSpec.Mode.WRITE).rate(50).max(0).build())) {
            step(out, "started VM " + vm.name() + " (QEMU/TCG); its workload writes 50 records/s to vda");
            vm.waitForConsole(Pattern.compile("FERRY-PROGRESS seq=\\d+"), Duration.ofSeconds(120));
            MachineCapture capture = new MachineCapture(lv, repo, CaptureOptions.defaults());
            CaptureResult last = null;
            for (int i = 0; i <= incrementals; i++) {
                last = capture.capture(vm.name(), ProgressListener.NONE);
                VerifyResult v = verifyPoint(repo, last);
                out.printf("  point %s  %-11s read %-10s stored %-10s -> restored: %s%n", last.point().id(),
                        last.mode().name().toLowerCase(), Printer.bytes(last.bytesRead()),
                        Printer.bytes(last.bytesStored()), v);
                out.flush();
                if (!v.ok()) {
                    throw new IllegalStateException("point " + last.point().id() + " failed verification: " + v.problem());
                }
                Thread.sleep(2000);
            }
            Path qcow = dir.resolve("restored-" + last.point().id() + ".qcow2");
            step(out, "restoring the latest point into " + qcow);
            new Materializer(repo, Runtime.getRuntime().availableProcessors())
                    .toNewImage(new PointDisk(repo, last.point(), "vda"), qcow, ImageFormat.QCOW2, ProgressListener.NONE);
            VerifyResult restored = RecordVerifier.verifyQcow2(qcow);
            out.println("  " + qcow.getFileName() + ": " + restored);
            Files.deleteIfExists(qcow);
            if (!restored.ok()) {
                throw new IllegalStateException("the image restored from point " + last.point().id()
                        + " failed verification: " + restored.problem());
            }

            step(out, "booting a VM from an NBD export of point " + last.point().id() + " (no copy)");
            Files.createDirectories(Libvirt.SOCKET_DIR);
            Path socket = Libvirt.SOCKET_DIR.resolve("demo-" + ProcessHandle.current().pid() + ".sock");
            Path overlay = LabVm.IMAGE_DIR.resolve("demo-overlay-" + ProcessHandle.current().pid() + ".qcow2");
            long expected = verifyPoint(repo, last).records();
            try (NbdServer server = NbdServer.start(new NbdAddress.Unix(socket),
                    Map.of("vda", new PointExport(new PointDisk(repo, last.point(), "vda"))),
                    io.ferry.nbd.UnixSocketAccess.forUser("libvirt-qemu"))) {
                Files.createDirectories(LabVm.IMAGE_DIR);
                QemuImg.createOverlay(overlay, "nbd+unix:///vda?socket=" + socket, "raw");
                long t0 = System.nanoTime();
                try (LabVm booted = LabVm.create(lv, LabVmSpec.builder().namePrefix("ferry-demo-export")
                        .mode(LabVmSpec.Mode.VERIFY).existingDisk(overlay).build())) {
                    Matcher m = booted.waitForConsole(Pattern.compile("FERRY-VERIFY records=(\\d+) status=(\\w+)"),
                            Duration.ofSeconds(120));
                    out.printf("  %s booted from the export in %.1f s; the guest says: records=%s status=%s (point holds %d)%n",
                            booted.name(), (System.nanoTime() - t0) / 1e9, m.group(1), m.group(2), expected);
                    if (!m.group(2).equals("ok") || Long.parseLong(m.group(1)) != expected) {
                        throw new IllegalStateException("the VM booted from the export did not see the point's records");
                    }
                }
            } finally {
                Files.deleteIfExists(overlay);
            }
            step(out, "verifying the repository");
            var report = repo.verify(null);
            out.printf("  %d points, %d blobs checked: %s%n", report.pointsChecked(), report.blobsChecked(),
                    report.clean() ? "clean" : report.damaged());
            if (!report.clean()) {
                throw new IllegalStateException("the demo repository " + repoDir + " failed verification");
            }
        } finally {
            if (!keep) {
                deleteTree(repoDir);
            }
        }
        step(out, "demo finished" + (keep ? "; repository kept at " + repoDir : ""));
        return 0;
    }

    private static VerifyResult verifyPoint(Repository repo, CaptureResult r) throws Exception {
        PointDisk d = new PointDisk(repo, r.point(), "vda");
        return RecordVerifier.verify((dst, offset) -> {
            if (offset >= d.size()) {
                return -1;
            }
            int n = (int) Math.min(dst.remaining(), d.size() - offset);
            byte[] tmp = new byte[n];
            d.read(offset, tmp, 0, n);
            dst.put(tmp);
            return n;
        }, d.size());
    }

    private static void step(PrintWriter out, String s) {
        out.println("==> " + s);
        out.flush();
    }

    private static void deleteTree(Path p) throws java.io.IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (var s = Files.walk(p)) {
            for (Path x : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(x);
            }
        }
    }
}
