package io.ferry.e2e.bench;

import io.ferry.datapath.restore.ImageFormat;
import io.ferry.datapath.restore.Materializer;
import io.ferry.datapath.restore.PointDisk;
import io.ferry.e2e.TwoSites;
import io.ferry.hypervisor.Libvirt;
import io.ferry.lab.LabVm;
import io.ferry.lab.RecoveryLeftovers;
import io.ferry.lab.LabVmSpec;
import io.ferry.repository.DiskRef;
import io.ferry.repository.KeySource;
import io.ferry.repository.PointManifest;
import io.ferry.repository.ProgressListener;
import io.ferry.repository.Repository;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * RTO of test failover, planned failover and commit for a small and a large machine (real vault,
 * agents in network namespaces, TCG lab VMs), and the copy-first alternative (materialize every
 * disk of the point, then boot) side by side. Measured, never asserted: bench/failover.sh.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FailoverBench {
    static final Path CONSOLES = Libvirt.RECOVERY_CONSOLES;
    static final Pattern VERIFY = Pattern.compile("FERRY-VERIFY records=\\d+ status=ok");

    final Instant began = Instant.now();
    final StringBuilder report = new StringBuilder();
    Path work;
    Path results;
    Path outDir;
    Libvirt lv;
    Table back;

    @BeforeAll
    void setUp() throws IOException {
        assumeTrue(Boolean.getBoolean("ferry.bench"), "benchmarks run only with -Dferry.bench=true (bench/failover.sh)");
        lv = Libvirt.system();
        work = Files.createTempDirectory(Path.of("/var/tmp"), "ferry-bench-fo-");
        outDir = Path.of(System.getProperty("ferry.bench.out", "/var/tmp/ferry-bench/failover"));
        Files.createDirectories(outDir);
        results = outDir.resolve("results-" + DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(began) + ".md");
        emit("# Ferry failover benchmarks\n\n" + HostFacts.describe(began) + "\n");
    }

    @AfterAll
    void tearDown() throws IOException {
        if (work == null) return;
        try (Stream<Path> s = Files.walk(work)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
        Files.copy(results, outDir.resolve("latest.md"), StandardCopyOption.REPLACE_EXISTING);
        System.out.println("results: " + results);
    }

    @Test
    void rtoDoesNotGrowWithTheDisk() throws Exception {
        long largeData = Long.getLong("ferry.bench.largeDataMiB", 2048) << 20;
        long largeDisk = Long.getLong("ferry.bench.largeDiskGiB", 8) << 30;
        Table back = new Table("machine", "reprotect s", "reprotect sent MB", "delta failback phase 1 s", "phase 1 written MB",
                "after the go: phase 2 s", "phase 2 written MB", "reprotect forward s", "forward sent MB",
                "full-download failback s", "full written MB", "other host: phase 1 s (creates it)", "other host: phase 1 written MB",
                "other host: phase 2 s", "other host: phase 2 written MB");
        this.back = back;
        Table t = new Table("machine", "data in point", "initial replication s", "test failover: job s", "test failover: guest verified s",
                "drill cleanup s", "copy first: materialize s", "copy first + boot s", "planned failover: job s",
                "planned: guest verified s", "commit (block pull) s");
        measure(t, "small: vda 256 MiB", LabVmSpec.builder().namePrefix("bfo-s").diskSize(256L << 20).mode(LabVmSpec.Mode.WRITE).rate(20).build());
        measure(t, "large: vda 256 MiB + vdb " + (largeDisk >> 30) + " GiB", LabVmSpec.builder().namePrefix("bfo-l").diskSize(256L << 20)
                .mode(LabVmSpec.Mode.WRITE).rate(20).extraDisk(LabVmSpec.ExtraDisk.prefilled(largeDisk, 0, largeData, 42)).build());
        emit("## RTO: failover request → recovery VM running\n\n" + t.markdown()
                + "\n\"job\" = request until the job SUCCEEDED (the domain runs); \"guest verified\" = request until the"
                + " recovery VM's record verifier printed its result on the console (it read its disk through the export)."
                + " \"copy first\" = materialize every disk of the same point into a qcow2 on the recovery host, the way a"
                + " restore-then-boot DR tool would, plus the boot measured for the drill. Planned failover includes the clean"
                + " shutdown (~2 s) and the final sync.\n");
        emit("## Reprotect and failback: time and bytes\n\n" + back.markdown()
                + "\n\"sent\" = bytes the first cycle after the reprotect stored (and so sent over the site link); the"
                + " seed (a local capture of the old disk on the receiving side) is not counted: it crosses no network."
                + " Delta failback: phase 1 writes the latest reverse point into the machine's own disks by digest while the"
                + " recovery VM runs; after the operator's go the recovery VM shuts down, the final sync runs and phase 2"
                + " writes what changed since. Full download writes every chunk after the shutdown. \"Other host\": a delta"
                + " failback to a second host of the primary site; phase 1 defines the machine there and writes the point into"
                + " its new disks, read from the reverse repository on the machine's own host over the data channel.\n");
    }

    private void measure(Table t, String label, LabVmSpec spec) throws Exception {
        Path dir = Files.createDirectories(work.resolve(spec.namePrefix()));
        try (TwoSites sites = TwoSites.start(spec.namePrefix().replace("-", ""), dir, spec.namePrefix());
             LabVm vm = LabVm.create(lv, spec)) {
            String pairing = sites.pairing("b", sites.policy("b", 15, 3600, 0));
            Instant t0 = Instant.now();
            JsonNode job = sites.protect(sites.machineId(vm.name()), pairing);
            finish(sites, job, Duration.ofMinutes(20));
            double initial = secs(t0);
            String pm = job.get("targetId").asString();
            Thread.sleep(16_000); // an incremental on top, so the point holds records
            JsonNode p = sites.protectedMachine(pm);
            String point = p.get("latestPointId").asString();
            long bytes = 0;
            try (Repository repo = Repository.openLocal(dir.resolve("agent-recovery/repositories/b"), new KeySource.None())) {
                PointManifest m = repo.point(point).orElseThrow();
                for (DiskRef d : m.disks()) {
                    var index = new PointDisk(repo, m, d.name()).index();
                    for (long i = 0; i < index.chunkCount(); i++) if (!index.chunk(i).isZero()) bytes += repo.chunkSize();
                }
            }

            String drill = vm.name() + "-drill";
            Instant d0 = Instant.now();
            JsonNode tf = sites.api.post("/protected-machines/" + pm + "/test-failover", Map.of("domainName", drill, "point", point));
            finish(sites, tf, Duration.ofMinutes(5));
            double tfJob = secs(d0);
            awaitConsole(drill);
            double tfBoot = secs(d0);
            Instant c0 = Instant.now();
            finish(sites, sites.api.post("/protected-machines/" + pm + "/test-failover/cleanup", Map.of()), Duration.ofMinutes(5));
            double cleanup = secs(c0);

            // the copy-first alternative: every disk of the same point into a new image, then boot
            double materialize;
            try (Repository repo = Repository.openLocal(dir.resolve("agent-recovery/repositories/b"), new KeySource.None())) {
                PointManifest m = repo.point(point).orElseThrow();
                Instant m0 = Instant.now();
                for (DiskRef d : m.disks()) {
                    Path img = dir.resolve("copy-" + d.name() + ".qcow2");
                    new Materializer(repo, 2).toNewImage(new PointDisk(repo, m, d.name()), img, ImageFormat.QCOW2, ProgressListener.NONE);
                    Files.deleteIfExists(img);
                }
                materialize = secs(m0);
            }
            double bootOnly = tfBoot - tfJob + Math.max(0, tfJob - 1.0); // what the drill took beyond its first second of setup

            String dr = vm.name() + "-dr";
            Instant f0 = Instant.now();
            JsonNode fo = sites.api.post("/protected-machines/" + pm + "/failover", Map.of("planned", true, "domainName", dr));
            finish(sites, fo, Duration.ofMinutes(10));
            double foJob = secs(f0);
            awaitConsole(dr);
            double foBoot = secs(f0);
            Instant k0 = Instant.now();
            finish(sites, sites.api.post("/protected-machines/" + pm + "/commit", Map.of()), Duration.ofMinutes(30));
            double commit = secs(k0);
            t.row(label, Table.mb(bytes) + " MB", initial, tfJob, tfBoot, cleanup, materialize, materialize + bootOnly, foJob, foBoot, commit);
            roundTrips(sites, pm, label, vm);
            removeDomain(dr);
        }
    }

    /** A delta failback with the operator's go as soon as phase 1 is done: {phase 1 s, bytes written, phase 2 s, bytes written}. */
    private static double[] deltaFailback(TwoSites sites, String pm, Map<String, Object> body) throws Exception {
        Instant b0 = Instant.now();
        JsonNode fb = sites.api.post("/protected-machines/" + pm + "/failback", body);
        String id = fb.get("id").asString();
        Instant end = Instant.now().plusSeconds(1200);
        while (!"complete-failover".equals(sites.job(id).get("step").asString()) && Instant.now().isBefore(end)) Thread.sleep(200);
        double phase1 = secs(b0);
        long phase1Bytes = written(stepMessage(sites.job(id), "pre-sync"));
        Instant g0 = Instant.now();
        sites.api.post("/jobs/" + id + "/continue", null);
        finish(sites, fb, Duration.ofMinutes(20));
        return new double[] {phase1, phase1Bytes, secs(g0), written(stepMessage(sites.job(id), "restore"))};
    }

    /** From COMMITTED at the recovery site: reprotect, delta failback, commit, reprotect forward; then a full-download trip. */
    private void roundTrips(TwoSites sites, String pm, String label, LabVm vm) throws Exception {
        String base = "/protected-machines/" + pm;
        double[] rep = reprotect(sites, pm);
        double[] delta = deltaFailback(sites, pm, Map.of("sync", "delta"));
        finish(sites, sites.api.post(base + "/commit", Map.of()), Duration.ofMinutes(5));
        double[] fwd = reprotect(sites, pm);
        // a second trip, failing back by full download
        String dr2 = vm.name() + "-dr2";
        finish(sites, sites.api.post(base + "/failover", Map.of("planned", true, "domainName", dr2)), Duration.ofMinutes(10));
        finish(sites, sites.api.post(base + "/commit", Map.of()), Duration.ofMinutes(30));
        reprotect(sites, pm);
        Instant f0 = Instant.now();
        JsonNode full = sites.api.post(base + "/failback", Map.of("sync", "full"));
        finish(sites, full, Duration.ofMinutes(30));
        double fullS = secs(f0);
        long fullBytes = written(stepMessage(sites.job(full.get("id").asString()), "restore"));
        // a third trip, failing back to a second host of the primary site that has no copy of the machine
        finish(sites, sites.api.post(base + "/commit", Map.of()), Duration.ofMinutes(5));
        reprotect(sites, pm);
        String dr3 = vm.name() + "-dr3";
        finish(sites, sites.api.post(base + "/failover", Map.of("planned", true, "domainName", dr3)), Duration.ofMinutes(10));
        finish(sites, sites.api.post(base + "/commit", Map.of()), Duration.ofMinutes(30));
        reprotect(sites, pm);
        sites.startSecondPrimary("alt-" + vm.spec().namePrefix() + ".*");
        String alt = "alt-" + vm.name();
        double[] other = deltaFailback(sites, pm, Map.of("sync", "delta", "host", "e2e-primary2", "domainName", alt));
        back.row(label, rep[0], Table.mb(rep[1]), delta[0], Table.mb((long) delta[1]), delta[2], Table.mb((long) delta[3]), fwd[0],
                Table.mb(fwd[1]), fullS, Table.mb(fullBytes), other[0], Table.mb((long) other[1]), other[2], Table.mb((long) other[3]));
        removeDomain(alt);
        removeDomain(dr3);
        removeDomain(dr2);
        removeDomain(vm.name() + "-dr");
    }

    /** Seconds from the request until PROTECTED, and the bytes the first cycle after it stored. */
    private static double[] reprotect(TwoSites sites, String pm) throws Exception {
        String before = sites.protectedMachine(pm).get("latestPointId").asString();
        Instant r0 = Instant.now();
        finish(sites, sites.api.post("/protected-machines/" + pm + "/reprotect", Map.of()), Duration.ofMinutes(30));
        double s = secs(r0);
        JsonNode first = sites.points(pm).stream().filter(p -> !p.get("id").asString().equals(before)).findFirst().orElseThrow();
        Instant end = Instant.now().plusSeconds(120);
        while (!"PROTECTED".equals(sites.protectedMachine(pm).get("state").asString()) && Instant.now().isBefore(end)) Thread.sleep(200);
        return new double[] {s, first.get("bytesStored").asLong()};
    }

    private static String stepMessage(JsonNode job, String step) {
        for (JsonNode st : job.get("steps")) if (st.get("name").asString().equals(step)) return st.get("message").asString("");
        return "";
    }

    private static long written(String message) {
        var m = Pattern.compile("\\((\\d+) of \\d+ bytes written\\)").matcher(message);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    private void removeDomain(String d) {
        RecoveryLeftovers.removeOne(lv, d);
    }

    private static void finish(TwoSites sites, JsonNode job, Duration max) {
        String state = sites.awaitJob(job.get("id").asString(), max);
        if (!"SUCCEEDED".equals(state)) {
            throw new IllegalStateException("job " + sites.job(job.get("id").asString()) + sites.diagnostics());
        }
    }

    private static void awaitConsole(String domain) throws Exception {
        Path f = CONSOLES.resolve(domain + ".log");
        Instant end = Instant.now().plusSeconds(180);
        while (Instant.now().isBefore(end)) {
            if (Files.exists(f) && VERIFY.matcher(Files.readString(f)).find()) return;
            Thread.sleep(100);
        }
        throw new IllegalStateException(domain + " printed no FERRY-VERIFY within 180 s");
    }

    private static double secs(Instant since) {
        return Duration.between(since, Instant.now()).toMillis() / 1000.0;
    }

    private void emit(String markdown) throws IOException {
        System.out.println(markdown);
        report.append(markdown).append('\n');
        Files.writeString(results, report.toString());
    }
}
