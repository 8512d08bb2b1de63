package io.ferry.e2e.bench;

import io.ferry.e2e.AgentProcess;
import io.ferry.e2e.TwoSites;
import io.ferry.hypervisor.Libvirt;
import io.ferry.lab.LabVm;
import io.ferry.lab.LabVmSpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Control-plane benchmarks (issue 3): a real vault and two agent JVMs in network namespaces
 * protecting TCG lab VMs. Not a test: nothing here passes or fails on timing; it is skipped unless
 * {@code -Dferry.bench=true} and prints Markdown tables (also written to
 * {@code ferry.bench.out}, default {@code /var/tmp/ferry-bench/control-plane}). Run it with
 * {@code bench/control-plane.sh}.
 *
 * <ol>
 *   <li>RPO under sustained guest churn (copy frequency 15 s): one VM writing 4 KiB records at
 *       ~5, ~20, ~50 MB/s; RPO sampled every second for 90 s after the first incremental.</li>
 *   <li>Idle machines per agent: N = 1, 4, 8 idle VMs, 60 s each; cycles, their duration, bytes
 *       read and the source agent's CPU per no-change cycle, max RPO.</li>
 *   <li>Vault API latency: K = 1, 8, 32 clients on GET protected-machines, jobs, machines while
 *       the agents heartbeat every second (and a health baseline, and once with the agents stopped).</li>
 * </ol>
 *
 * Knobs (system properties): {@code ferry.bench.parts} (rpo,scale,api), {@code ferry.bench.rates}
 * (MB/s, 5,20,50), {@code ferry.bench.rpoWindow} (90), {@code ferry.bench.counts} (1,4,8),
 * {@code ferry.bench.scaleWindow} (60), {@code ferry.bench.memory} (MiB per idle VM, 96),
 * {@code ferry.bench.clients} (1,8,32), {@code ferry.bench.apiSeconds} (15).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ControlPlaneBench {
    static final int COPY_FREQUENCY = 15;
    static final int RETENTION = 3600;
    static final Pattern PROGRESS = Pattern.compile("FERRY-PROGRESS seq=(\\d+)");

    Path work;
    Path outDir;
    Path results;
    Libvirt lv;
    final Instant began = Instant.now();
    final StringBuilder report = new StringBuilder();
    final Set<String> parts = Set.of(System.getProperty("ferry.bench.parts", "rpo,scale,api").split(","));

    // part 2's fixture, kept for part 3 ("the vault of the fixture, a few protected machines present")
    TwoSites scaleSites;
    final List<LabVm> scaleVms = new ArrayList<>();
    final List<String> scalePms = new ArrayList<>();

    @BeforeAll
    void setUp() throws IOException {
        assumeTrue(Boolean.getBoolean("ferry.bench"), "benchmarks run only with -Dferry.bench=true (bench/control-plane.sh)");
        lv = Libvirt.system();
        work = Files.createTempDirectory(Path.of("/var/tmp"), "ferry-bench-cp-");
        outDir = Path.of(System.getProperty("ferry.bench.out", "/var/tmp/ferry-bench/control-plane"));
        Files.createDirectories(outDir);
        results = outDir.resolve("results-" + DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(began) + ".md");
        emit("# Ferry control-plane benchmarks\n\n" + machine() + "\n");
    }

    @AfterAll
    void tearDown() throws Exception {
        if (work == null) return;
        try {
            for (LabVm vm : scaleVms) closeQuietly(vm);
            if (scaleSites != null) scaleSites.close();
        } finally {
            emit(String.format(Locale.ROOT, "Total time of the benchmark class: %.0f s; load at the end: %s%n",
                    Duration.between(began, Instant.now()).toMillis() / 1000.0, ProcStat.load()));
            keepLogs();
            deleteTree(work);
            Files.copy(results, outDir.resolve("latest.md"), StandardCopyOption.REPLACE_EXISTING);
            System.out.println("results: " + results);
        }
    }

    // ------------------------------------------------------------------ 1. RPO under churn

    @Test
    @Order(1)
    void rpoUnderSustainedGuestChurn() throws Exception {
        assumeTrue(parts.contains("rpo"), "part rpo not selected");
        long[] rates = longs("ferry.bench.rates", "5,20,50");
        int window = Integer.getInteger("ferry.bench.rpoWindow", 90);
        Table t = new Table("target MB/s (records/s)", "guest wrote MB/s", "churn per point MB/s", "RPO max s", "RPO p95 s",
                "RPO mean s", "checkpoint → commit mean / max s", "RPO max from the checkpoint s", "cycles", "cycle mean s",
                "cycle max s", "MB read / point", "MB stored / point",
                "initial repl. s", "agent CPU s / cycle", "guest QEMU CPU %", "host busy %", "load (uptime) start → end", "notes");
        List<String> details = new ArrayList<>();
        try (TwoSites s = TwoSites.start("fbrpo", work.resolve("rpo"), "fbench-rpo")) {
            String pairing = s.pairing("rpo", s.policy("rpo15", COPY_FREQUENCY, RETENTION, 0));
            long agentPid = s.primary.javaPid();
            for (long mbps : rates) {
                long records = mbps * 256;
                long gib = Math.max(1, (long) Math.ceil(mbps * 1e6 * 200 / (1L << 30)));
                LabVmSpec spec = LabVmSpec.builder().namePrefix("fbench-rpo").diskSize(gib << 30).mode(LabVmSpec.Mode.WRITE)
                        .rate(records).max(0).build();
                String pm = null;
                LabVm vm = LabVm.create(lv, spec);
                try {
                    vm.waitForConsole(Pattern.compile("FERRY-VERIFY records=\\d+"), Duration.ofSeconds(120));
                    String machine = s.machineId(vm.name());
                    Instant protectAt = Instant.now();
                    JsonNode job = s.protect(machine, pairing);
                    pm = job.get("targetId").asString();
                    String state = s.awaitJob(job.get("id").asString(), Duration.ofMinutes(8));
                    double initial = secs(protectAt, Instant.now());
                    if (!state.equals("SUCCEEDED")) {
                        t.row(mbps + " (" + records + ")", "", "", "", "", "", "", "", "", "", "", "", "", Table.f(initial), "", "", "", ProcStat.load(),
                                "ENABLE_PROTECTION " + state + ": " + s.job(job.get("id").asString()).path("error"));
                        System.out.println(s.diagnostics());
                        continue;
                    }
                    // steady state: start the window once the first incremental is in the catalogue
                    String pmId = pm;
                    Instant firstIncrementalWait = Instant.now();
                    await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1)).until(() ->
                            s.points(pmId).stream().anyMatch(p -> !p.get("mode").asString().equals("FULL")));
                    double toFirstIncremental = secs(firstIncrementalWait, Instant.now());

                    String load0 = ProcStat.load();
                    ProcStat.Cpu agent0 = ProcStat.cpu(agentPid);
                    long qemu = ProcStat.qemuPid(vm.name());
                    ProcStat.Cpu qemu0 = ProcStat.cpu(qemu);
                    double[] host0 = ProcStat.host();
                    long seq0 = lastProgress(vm);
                    Instant w0 = Instant.now();
                    List<Double> rpo = new ArrayList<>();
                    List<String> rpoPoint = new ArrayList<>(); // the latest point at each RPO sample
                    Map<String, Double> cycles = new LinkedHashMap<>(); // lastCycleAt -> lastCycleSeconds
                    String before = lastCycleAt(s.protectedMachine(pm));
                    int apiErrors = 0;
                    Set<String> phases = new java.util.TreeSet<>();
                    Set<String> health = new java.util.TreeSet<>();
                    for (int i = 1; i <= window; i++) {
                        sleepUntil(w0.plusSeconds(i));
                        try {
                            JsonNode m = s.protectedMachine(pm);
                            if (m.path("rpoSeconds").isNumber()) {
                                rpo.add(m.get("rpoSeconds").asDouble());
                                rpoPoint.add(m.path("latestPointId").asString(""));
                            }
                            JsonNode r = m.path("replication");
                            String at = lastCycleAt(m);
                            if (at != null && !at.equals(before)) cycles.put(at, r.path("lastCycleSeconds").asDouble());
                            phases.add(r.path("phase").asString("?"));
                            health.add(m.path("health").asString("?"));
                        } catch (RuntimeException e) {
                            apiErrors++;
                        }
                    }
                    Instant w1 = Instant.now();
                    long seq1 = lastProgress(vm);
                    ProcStat.Cpu agentD = ProcStat.cpu(agentPid).minus(agent0);
                    ProcStat.Cpu qemuD = ProcStat.cpu(qemu).minus(qemu0);
                    double busy = ProcStat.busyPercent(host0, ProcStat.host());
                    String load1 = ProcStat.load();
                    double elapsed = secs(w0, w1);

                    // points committed in the window (give the last one a heartbeat to arrive)
                    Thread.sleep(2000);
                    List<JsonNode> points = s.points(pm);
                    Map<String, JsonNode> byId = new HashMap<>();
                    points.forEach(p -> byId.put(p.get("id").asString(), p));
                    long readSum = 0, storedSum = 0;
                    double intervalSum = 0;
                    int n = 0;
                    List<String> perPoint = new ArrayList<>();
                    for (JsonNode p : points.stream().sorted(Comparator.comparing(p -> p.get("createdAt").asString())).toList()) {
                        Instant at = Instant.parse(p.get("createdAt").asString());
                        if (p.get("mode").asString().equals("FULL") || at.isBefore(w0) || at.isAfter(w1)) continue;
                        JsonNode parent = p.path("parentId").isString() ? byId.get(p.get("parentId").asString()) : null;
                        if (parent == null) continue;
                        double interval = secs(Instant.parse(parent.get("createdAt").asString()), at);
                        long read = p.get("bytesRead").asLong();
                        readSum += read;
                        storedSum += p.get("bytesStored").asLong();
                        intervalSum += interval;
                        n++;
                        perPoint.add(String.format(Locale.ROOT, "%s MB/%.1f s", Table.mb(read), interval));
                    }
                    // the vault's RPO counts from the point's commit; the data is as of the checkpoint taken at the cycle's start
                    Map<String, Double> lag = freezeToCommit(s.primary.logText(), vm.name());
                    List<Double> frozenRpo = new ArrayList<>();
                    List<Double> lags = new ArrayList<>();
                    for (int i = 0; i < rpo.size(); i++) {
                        Double l = lag.get(rpoPoint.get(i));
                        if (l != null) frozenRpo.add(rpo.get(i) + l);
                    }
                    for (JsonNode p : points) {
                        Instant at = Instant.parse(p.get("createdAt").asString());
                        Double l = lag.get(p.get("id").asString());
                        if (l != null && !at.isBefore(w0) && !at.isAfter(w1)) lags.add(l);
                    }
                    double guestMBps = seq0 < 0 || seq1 < 0 ? Double.NaN : (seq1 - seq0) * 4096.0 / elapsed / 1e6;
                    double[] r = Table.sorted(rpo);
                    List<Double> dur = new ArrayList<>(cycles.values());
                    String notes = (apiErrors > 0 ? apiErrors + " API errors; " : "") + "phases " + phases + ", health " + health
                            + (vm.consoleText().contains("FERRY-DONE") ? "; workload reached the end of the disk" : "")
                            + (vm.consoleText().contains("FERRY-ERROR") ? "; workload error" : "");
                    t.row(mbps + " (" + records + ")", guestMBps, n == 0 ? Double.NaN : readSum / intervalSum / 1e6,
                            Table.max(rpo), Table.percentile(r, 95), Table.mean(rpo),
                            Table.f(Table.mean(lags)) + " / " + Table.f(Table.max(lags)), Table.max(frozenRpo),
                            cycles.size(), Table.mean(dur), Table.max(dur),
                            n == 0 ? "–" : Table.mb((double) readSum / n), n == 0 ? "–" : Table.mb((double) storedSum / n),
                            Table.f(initial), cycles.isEmpty() ? "–" : Table.f(agentD.self() / cycles.size()),
                            100 * qemuD.self() / elapsed, busy, load0 + " → " + load1, notes);
                    details.add(String.format(Locale.ROOT, "- %d MB/s: disk %d GiB; initial replication %.1f s, first incremental %.1f s"
                                    + " later; window %.0f s; agent JVM CPU %.1f s (+%.1f s in virsh/qemu-img children); points in the window: %s",
                            mbps, gib, initial, toFirstIncremental, elapsed, agentD.self(), agentD.children(), String.join(", ", perPoint)));
                } finally {
                    if (pm != null) {
                        try {
                            s.awaitJob(s.unprotect(pm).get("id").asString(), Duration.ofMinutes(2));
                        } catch (RuntimeException e) {
                            details.add("- unprotect of " + pm + " failed: " + e.getMessage());
                        }
                    }
                    closeQuietly(vm);
                }
            }
        }
        emit("## 1. RPO under sustained guest churn (copy frequency " + COPY_FREQUENCY + " s, one VM, "
                + window + " s of 1 Hz samples after the first incremental)\n\n" + t.markdown() + "\n" + String.join("\n", details) + "\n");
    }

    // ------------------------------------------------------------------ 2. idle machines per agent

    @Test
    @Order(2)
    void idleMachinesPerAgent() throws Exception {
        assumeTrue(parts.contains("scale") || parts.contains("api"), "parts scale/api not selected");
        int[] counts = parts.contains("scale") ? ints("ferry.bench.counts", "1,4,8") : new int[] {3};
        int window = Integer.getInteger("ferry.bench.scaleWindow", 60);
        int memory = Integer.getInteger("ferry.bench.memory", 96);
        scaleSites = TwoSites.start("fbscl", work.resolve("scale"), "fbench-idle");
        TwoSites s = scaleSites;
        String pairing = s.pairing("idle", s.policy("idle15", COPY_FREQUENCY, RETENTION, 0));
        long agentPid = s.primary.javaPid();
        // the agent's own cost with nothing to replicate: heartbeats (1 s) and inventory (10 s)
        ProcStat.Cpu b0 = ProcStat.cpu(agentPid);
        Instant bt0 = Instant.now();
        Thread.sleep(parts.contains("scale") ? 15_000 : 0);
        ProcStat.Cpu bd = ProcStat.cpu(agentPid).minus(b0);
        double bs = secs(bt0, Instant.now());
        double baseline = parts.contains("scale") ? bd.self() / bs : Double.NaN;
        double baselineChildren = parts.contains("scale") ? bd.children() / bs : Double.NaN;

        Table t = new Table("N VMs", "cycles in window", "cycles per VM min / mean / max", "cycle mean s", "cycle max s",
                "bytes read per no-change cycle", "agent JVM CPU s / cycle", "… net of idle agent", "virsh etc. CPU s / cycle",
                "… net of idle agent",
                "max RPO s", "RPO ≤ 2 × 15 s", "host busy %", "load (uptime) start → end");
        for (int target : counts) {
            Instant setup = Instant.now();
            List<LabVm> fresh = new ArrayList<>();
            while (scaleVms.size() < target) {
                LabVm vm = LabVm.create(lv, LabVmSpec.builder().namePrefix("fbench-idle").memoryMiB(memory)
                        .mode(LabVmSpec.Mode.IDLE).build());
                scaleVms.add(vm);
                fresh.add(vm);
            }
            List<String> jobs = new ArrayList<>();
            for (LabVm vm : fresh) vm.waitForConsole(Pattern.compile("FERRY-BOOT"), Duration.ofSeconds(180));
            for (LabVm vm : fresh) {
                JsonNode job = s.protect(s.machineId(vm.name()), pairing);
                scalePms.add(job.get("targetId").asString());
                jobs.add(job.get("id").asString());
            }
            List<String> failed = new ArrayList<>();
            for (String j : jobs) {
                String st = s.awaitJob(j, Duration.ofMinutes(5));
                if (!st.equals("SUCCEEDED")) failed.add(j + " " + st);
            }
            if (!failed.isEmpty()) System.out.println("jobs not succeeded: " + failed + s.diagnostics());
            if (!parts.contains("scale")) break;
            double setupSeconds = secs(setup, Instant.now());

            String load0 = ProcStat.load();
            ProcStat.Cpu a0 = ProcStat.cpu(agentPid);
            double[] h0 = ProcStat.host();
            Instant w0 = Instant.now();
            Map<String, Map<String, Double>> cycles = new HashMap<>(); // pm -> lastCycleAt -> seconds
            Map<String, String> before = new HashMap<>();
            double maxRpo = 0;
            for (JsonNode m : s.protectedMachines()) before.put(m.get("id").asString(), lastCycleAt(m));
            for (int i = 1; i <= window; i++) {
                sleepUntil(w0.plusSeconds(i));
                try {
                    for (JsonNode m : s.protectedMachines()) {
                        String id = m.get("id").asString();
                        if (!scalePms.contains(id)) continue;
                        if (m.path("rpoSeconds").isNumber()) maxRpo = Math.max(maxRpo, m.get("rpoSeconds").asDouble());
                        String at = lastCycleAt(m);
                        if (at != null && !at.equals(before.get(id))) {
                            cycles.computeIfAbsent(id, k -> new LinkedHashMap<>()).put(at, m.path("replication").path("lastCycleSeconds").asDouble());
                        }
                    }
                } catch (RuntimeException e) {
                    System.out.println("sample failed: " + e.getMessage());
                }
            }
            Instant w1 = Instant.now();
            ProcStat.Cpu ad = ProcStat.cpu(agentPid).minus(a0);
            double busy = ProcStat.busyPercent(h0, ProcStat.host());
            String load1 = ProcStat.load();
            double elapsed = secs(w0, w1);
            Thread.sleep(2000);
            // cycles = points whose checkpoint was taken in the window
            List<Integer> perVm = new ArrayList<>();
            List<Double> read = new ArrayList<>();
            for (String pm : scalePms) {
                int c = 0;
                for (JsonNode p : s.points(pm)) {
                    Instant at = Instant.parse(p.get("createdAt").asString());
                    if (at.isBefore(w0) || !at.isBefore(w1)) continue;
                    c++;
                    if (!p.get("mode").asString().equals("FULL")) read.add(p.get("bytesRead").asDouble());
                }
                perVm.add(c);
            }
            int total = perVm.stream().mapToInt(Integer::intValue).sum();
            List<Double> dur = cycles.values().stream().flatMap(m -> m.values().stream()).toList();
            int reported = dur.size();
            t.row(target, total + " (" + reported + " seen by 1 Hz sampling)",
                    perVm.stream().mapToInt(Integer::intValue).min().orElse(0) + " / "
                            + Table.f(perVm.stream().mapToInt(Integer::intValue).average().orElse(0)) + " / "
                            + perVm.stream().mapToInt(Integer::intValue).max().orElse(0) + " (expected " + Table.f(elapsed / COPY_FREQUENCY) + ")",
                    Table.mean(dur), Table.max(dur),
                    read.isEmpty() ? "–" : Table.f(Table.mean(read)) + " (max " + Table.f(Table.max(read)) + ")",
                    total == 0 ? "–" : Table.f(ad.self() / total),
                    total == 0 || Double.isNaN(baseline) ? "–" : Table.f((ad.self() - baseline * elapsed) / total),
                    total == 0 ? "–" : Table.f(ad.children() / total),
                    total == 0 || Double.isNaN(baselineChildren) ? "–" : Table.f((ad.children() - baselineChildren * elapsed) / total),
                    maxRpo, maxRpo <= 2.0 * COPY_FREQUENCY ? "yes" : "no", busy, load0 + " → " + load1);
            System.out.printf(Locale.ROOT, "N=%d: set-up (boot, discovery, initial replication) %.0f s; window %.0f s; agent CPU %.2f s + children %.2f s%n",
                    target, setupSeconds, elapsed, ad.self(), ad.children());
        }
        if (parts.contains("scale")) {
            emit("## 2. Idle machines per agent (copy frequency " + COPY_FREQUENCY + " s, " + memory + " MiB idle guests, "
                    + window + " s per N)\n\n" + t.markdown() + "\n"
                    + String.format(Locale.ROOT, "Idle agent (no lab VM defined yet, 0 protected machines; heartbeat every 1 s, inventory"
                    + " every 10 s), over %.0f s: JVM %.3f CPU s per s, its virsh children %.3f CPU s per s. \"Per cycle\" figures are the"
                    + " agent's CPU over the window divided by the cycles in it, so they include heartbeats and the inventory of N domains"
                    + " (virsh dumpxml, domstate, domblkinfo and dumpxml again per domain every 10 s); \"net\" subtracts the idle agent only.%n",
                    bs, baseline, baselineChildren));
        }
    }

    // ------------------------------------------------------------------ 3. API latency

    @Test
    @Order(3)
    void vaultApiLatencyUnderLoad() throws Exception {
        assumeTrue(parts.contains("api"), "part api not selected");
        assumeTrue(scaleSites != null, "the fixture of part 2 did not start");
        TwoSites s = scaleSites;
        int[] clients = ints("ferry.bench.clients", "1,8,32");
        int seconds = Integer.getInteger("ferry.bench.apiSeconds", 15);
        ApiLoad load = new ApiLoad(s.url, s.token, s.caPem());
        ApiLoad anonymous = new ApiLoad(s.url, null, s.caPem());
        String inventory = String.format(Locale.ROOT, "%d protected machines, %d jobs, %d machines",
                s.protectedMachines().size(), s.api.list("/jobs", Map.of()).size(), s.api.list("/machines", Map.of()).size());
        // warm-up: JIT of the vault's handlers and of the client
        for (String p : List.of("/api/v1/protected-machines", "/api/v1/jobs", "/api/v1/machines")) load.run(p, 8, Duration.ofSeconds(3));

        Table t = new Table("GET", "clients", "requests/s", "p50 ms", "p95 ms", "p99 ms", "max ms", "errors", "bytes / answer",
                "heartbeats in run", "heartbeat mean ms (vault side)", "host busy %", "load (uptime) start → end");
        {   // the heartbeats alone, no API load
            double[] hb0 = load.postTimer();
            double[] h0 = ProcStat.host();
            String l0 = ProcStat.load();
            Thread.sleep(10_000);
            double[] hb1 = load.postTimer();
            double n = hb1[0] - hb0[0];
            t.row("(none: heartbeats only, 10 s)", 0, "", "", "", "", "", "", "", Table.f(n),
                    n > 0 ? 1000 * (hb1[1] - hb0[1]) / n : Double.NaN, ProcStat.busyPercent(h0, ProcStat.host()), l0 + " → " + ProcStat.load());
        }
        for (String path : List.of("/api/v1/protected-machines", "/api/v1/jobs", "/api/v1/machines")) {
            for (int k : clients) row(t, load, path, k, Duration.ofSeconds(seconds), "");
        }
        for (int k : new int[] {1, 32}) row(t, anonymous, "/api/v1/health", k, Duration.ofSeconds(10), " (no token)");
        // the same reads with the agents stopped: no heartbeat writes competing for the database
        s.stopAgents();
        Thread.sleep(1000);
        for (int k : new int[] {8, 32}) row(t, load, "/api/v1/protected-machines", k, Duration.ofSeconds(10), " (agents stopped)");
        emit("## 3. Vault API latency under load (" + inventory + "; agents heartbeat every 1 s; vault in the benchmark's JVM;"
                + " the load average includes the clients' own threads)\n\n"
                + t.markdown() + "\n" + wrk(s) + "\n");
    }

    /** wrk against GET /api/v1/health (a baseline of the HTTPS stack), if wrk is installed. */
    private static String wrk(TwoSites s) throws Exception {
        if (!onPath("wrk")) return "wrk: not installed (`which wrk` finds nothing), no external baseline.";
        StringBuilder b = new StringBuilder("wrk against GET /api/v1/health (agents stopped):\n\n```\n");
        for (int c : new int[] {1, 32}) {
            Process p = new ProcessBuilder("wrk", "-t", "2", "-c", String.valueOf(c), "-d", "10s", "--latency",
                    s.url.resolve("/api/v1/health").toString()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            p.waitFor();
            b.append("$ wrk -t 2 -c ").append(c).append(" -d 10s --latency ").append(s.url.resolve("/api/v1/health")).append('\n').append(out);
        }
        return b.append("```\n").toString();
    }

    private static void row(Table t, ApiLoad load, String path, int k, Duration d, String label) throws Exception {
        double[] hb0 = load.postTimer();
        String load0 = ProcStat.load();
        double[] h0 = ProcStat.host();
        ApiLoad.Result r = load.run(path, k, d);
        double busy = ProcStat.busyPercent(h0, ProcStat.host());
        double[] hb1 = load.postTimer();
        double hbCount = hb1[0] - hb0[0];
        double hbMean = hbCount > 0 ? 1000 * (hb1[1] - hb0[1]) / hbCount : Double.NaN;
        t.row(path.replace("/api/v1", "") + label, k, r.perSecond(), r.p(50), r.p(95), r.p(99), r.max(),
                r.errors() + (r.firstError() == null ? "" : " (" + r.firstError() + ")"), Table.f(r.meanBytes()),
                Table.f(hbCount), hbMean, busy, load0 + " → " + ProcStat.load());
        System.out.printf(Locale.ROOT, "%s k=%d: %.0f req/s p50 %.1f ms p99 %.1f ms%n", path, k, r.perSecond(), r.p(50), r.p(99));
    }

    // ------------------------------------------------------------------ helpers

    private static String lastCycleAt(JsonNode m) {
        JsonNode at = m.path("replication").path("lastCycleAt");
        return at.isString() ? at.asString() : null;
    }

    private static final Pattern CAPTURING = Pattern.compile("\"capturing (\\S+): mode \\w+, .* -> ferry-(\\d{8}T\\d{9}Z)");
    private static final Pattern REPLICATED = Pattern.compile("\"replicated (\\S+): point ((\\d{8}T\\d{9}Z)-[0-9a-f]+)");
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmssSSS'Z'").withZone(ZoneOffset.UTC);

    /**
     * Point id → seconds from the cycle's checkpoint (the instant the point's data is frozen,
     * named {@code ferry-<UTC>}) to the point's commit (its id and createdAt), from the source
     * agent's log lines "capturing DOMAIN: … -> ferry-T" and "replicated DOMAIN: point ID".
     */
    static Map<String, Double> freezeToCommit(String agentLog, String domain) {
        Map<String, Double> out = new HashMap<>();
        Instant frozen = null;
        for (String line : agentLog.split("\n")) {
            Matcher c = CAPTURING.matcher(line);
            if (c.find() && c.group(1).equals(domain)) {
                frozen = Instant.from(STAMP.parse(c.group(2)));
                continue;
            }
            Matcher r = REPLICATED.matcher(line);
            if (r.find() && r.group(1).equals(domain) && frozen != null) {
                out.put(r.group(2), secs(frozen, Instant.from(STAMP.parse(r.group(3)))));
                frozen = null;
            }
        }
        return out;
    }

    /** The last FERRY-PROGRESS count on the guest's console (records on disk, in steps of 256), or -1. */
    private static long lastProgress(LabVm vm) {
        Matcher m = PROGRESS.matcher(vm.consoleText());
        long last = -1;
        while (m.find()) last = Long.parseLong(m.group(1));
        return last;
    }

    private static double secs(Instant a, Instant b) {
        return Duration.between(a, b).toMillis() / 1000.0;
    }

    private static void sleepUntil(Instant t) throws InterruptedException {
        long ms = Duration.between(Instant.now(), t).toMillis();
        if (ms > 0) Thread.sleep(ms);
    }

    private static long[] longs(String prop, String def) {
        return Arrays.stream(System.getProperty(prop, def).split(",")).map(String::trim).mapToLong(Long::parseLong).toArray();
    }

    private static int[] ints(String prop, String def) {
        return Arrays.stream(System.getProperty(prop, def).split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray();
    }

    private void emit(String markdown) throws IOException {
        System.out.println(markdown);
        report.append(markdown).append('\n');
        Files.writeString(results, report.toString());
    }

    private static void closeQuietly(LabVm vm) {
        try {
            vm.close();
        } catch (RuntimeException e) {
            System.out.println("closing " + vm + ": " + e.getMessage());
        }
    }

    private static boolean onPath(String tool) {
        return Stream.of(System.getenv().getOrDefault("PATH", "").split(":")).anyMatch(d -> Files.isExecutable(Path.of(d, tool)));
    }

    /** Copies the agents' logs out of the work directory (deleted at the end) next to the results. */
    private void keepLogs() {
        Path dir = outDir.resolve(results.getFileName().toString().replace(".md", "-logs"));
        try (Stream<Path> s = Files.walk(work, 3)) {
            for (Path p : s.filter(p -> p.getFileName().toString().endsWith(".log") && Files.isRegularFile(p)).toList()) {
                Files.createDirectories(dir);
                Files.copy(p, dir.resolve(work.relativize(p).toString().replace('/', '_')), StandardCopyOption.REPLACE_EXISTING);
            }
            System.out.println("agent logs: " + dir);
        } catch (IOException e) {
            System.out.println("could not keep the logs: " + e);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    /** Date, machine and software, for the record. */
    private String machine() {
        return HostFacts.describe(began);
    }
}
