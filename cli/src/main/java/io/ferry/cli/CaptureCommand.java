package io.ferry.cli;

import io.ferry.datapath.capture.CaptureOptions;
import io.ferry.datapath.capture.CaptureResult;
import io.ferry.datapath.capture.DiskCaptureStats;
import io.ferry.datapath.capture.MachineCapture;
import io.ferry.hypervisor.Libvirt;
import io.ferry.repository.Repository;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code ferry capture DOMAIN}: one capture cycle of all disks of a domain. */
@Command(name = "capture", mixinStandardHelpOptions = true,
        description = {"Capture all disks of a libvirt domain into a recovery point.",
                "The first capture is full; the next ones are incremental from the domain's checkpoint.",
                "If change tracking was lost the capture refuses; --resync then compares digests with the last point."})
final class CaptureCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    RepoOptions repoOptions;
    @Parameters(index = "0", paramLabel = "DOMAIN", description = "libvirt domain name or UUID (with --image: the machine name)")
    String domain;
    @Option(names = "--image", paramLabel = "FILE", description = {"Capture this image file instead of a domain's disks",
            "(repeatable; disks are named vda, vdb… in order). Without change tracking: full, then resync."})
    java.util.List<java.nio.file.Path> images;
    @Option(names = "--image-format", defaultValue = "qcow2", description = "Format of --image files (default ${DEFAULT-VALUE}).")
    String imageFormat;
    @Option(names = "--resync", description = "Allow a resync when change tracking cannot be trusted.")
    boolean resync;
    @Option(names = "--connect", defaultValue = "qemu:///system", description = "libvirt URI (default ${DEFAULT-VALUE}).")
    String uri;
    @Option(names = "--reads-in-flight", defaultValue = "16", description = "NBD reads in flight per disk.")
    int readsInFlight;
    @Option(names = "--workers", description = "Hashing/compression threads (default: number of cores).")
    Integer workers;
    @Option(names = "--limit", paramLabel = "MiB/s", defaultValue = "0",
            description = "Read at most this many MiB per second from the disks (0 = unlimited).")
    long limitMiBps;
    @Option(names = {"-o", "--output"}, defaultValue = "TABLE", description = "table or json")
    OutputFormat output;

    @Override
    public Integer call() throws Exception {
        CaptureOptions options = CaptureOptions.defaults().withResync(resync).withReadsInFlight(readsInFlight)
                .withBytesPerSecond(limitMiBps * 1024 * 1024);
        if (workers != null) {
            options = options.withWorkers(workers);
        }
        CaptureResult r;
        try (Repository repo = repoOptions.open();
             ProgressBars bars = new ProgressBars(output == OutputFormat.TABLE)) {
            if (images != null && !images.isEmpty()) {
                r = captureImages(repo, options, bars);
            } else {
                r = new MachineCapture(new Libvirt(uri), repo, options).capture(domain, bars);
            }
        }
        print(r);
        return 0;
    }

    private CaptureResult captureImages(Repository repo, CaptureOptions options, ProgressBars bars) throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("ferry-capture-");
        List<io.ferry.hypervisor.QemuNbd> servers = new ArrayList<>();
        try {
            List<io.ferry.datapath.capture.NbdDiskCapture.Disk> disks = new ArrayList<>();
            for (int i = 0; i < images.size(); i++) {
                String name = "vd" + (char) ('a' + i);
                var q = io.ferry.hypervisor.QemuNbd.exportReadOnly(images.get(i), imageFormat, null, dir.resolve(name + ".sock"));
                servers.add(q);
                disks.add(new io.ferry.datapath.capture.NbdDiskCapture.Disk(name, new io.ferry.nbd.NbdAddress.Unix(q.socket()), q.exportName()));
            }
            return new io.ferry.datapath.capture.NbdDiskCapture(repo, options).capture(domain, disks, bars);
        } finally {
            for (var q : servers) {
                try {
                    q.close();
                } catch (RuntimeException e) {
                    spec.commandLine().getErr().println("ferry: stopping qemu-nbd for " + q.image() + ": " + e.getMessage());
                }
            }
            try (var s = java.nio.file.Files.list(dir)) {
                for (var p : s.toList()) {
                    java.nio.file.Files.deleteIfExists(p);
                }
            }
            java.nio.file.Files.deleteIfExists(dir);
        }
    }

    private void print(CaptureResult r) {
        var out = spec.commandLine().getOut();
        if (output == OutputFormat.JSON) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("point", r.point().id());
            m.put("machine", r.point().machine());
            m.put("mode", r.mode().name().toLowerCase());
            m.put("elapsedMillis", r.elapsed().toMillis());
            m.put("bytesRead", r.bytesRead());
            m.put("bytesStored", r.bytesStored());
            m.put("disks", r.disks());
            Printer.json(out, m);
        } else {
            out.printf("point %s of %s (%s) committed in %.1f s%n", r.point().id(), r.point().machine(),
                    r.mode().name().toLowerCase(), r.elapsed().toMillis() / 1000.0);
            List<List<String>> rows = new ArrayList<>();
            for (DiskCaptureStats.Snapshot d : r.disks()) {
                rows.add(List.of(d.disk(), Printer.bytes(d.diskSize()), Printer.bytes(d.bytesRead()),
                        Long.toString(d.chunksStored()), Long.toString(d.chunksAlreadyStored()),
                        Long.toString(d.unchangedChunks()), Printer.bytes(d.bytesStored())));
            }
            Printer.table(out, List.of("DISK", "SIZE", "READ", "NEW CHUNKS", "ALREADY STORED", "UNCHANGED", "STORED"), rows);
        }
    }
}
