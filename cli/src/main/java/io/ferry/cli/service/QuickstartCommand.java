package io.ferry.cli.service;

import io.ferry.agent.Agent;
import io.ferry.agent.AgentConfig;
import io.ferry.cli.remote.CliConfig;
import io.ferry.cli.remote.VaultClient;
import io.ferry.hypervisor.Libvirt;
import io.ferry.lab.LabVm;
import io.ferry.lab.LabVmSpec;
import io.ferry.vault.Vault;
import io.ferry.vault.VaultConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Everything on one machine: a vault with its embedded database, an agent for a primary site and
 * one for a recovery site (with the repository), a small demo VM that keeps writing, protected
 * with a 15-second copy frequency; shows the initial replication and the live RPO, then a test
 * failover and its cleanup, a planned failover that loses no record, and its commit.
 */
@Command(name = "quickstart", mixinStandardHelpOptions = true,
        description = "Vault + two sites on this machine, a demo VM protected (RPO shown), drilled, failed over and committed.")
public final class QuickstartCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--dir", defaultValue = "/var/lib/ferry/quickstart", description = "work directory, wiped first; default ${DEFAULT-VALUE}")
    Path dir;

    @Option(names = "--points", defaultValue = "4", description = "recovery points to wait for before finishing; default ${DEFAULT-VALUE}")
    int points;

    @Option(names = "--copy-frequency", defaultValue = "15", description = "seconds between cycles (15..); default ${DEFAULT-VALUE}")
    int copyFrequency;

    @Option(names = "--no-failover", description = "stop after the points (by default: a drill and its cleanup, then a"
            + " planned failover and its commit)")
    boolean noFailover;

    @Option(names = "--keep-running", description = "keep the vault, agents and VM running until Ctrl-C (the `ferry` commands work meanwhile)")
    boolean keepRunning;

    private PrintWriter out;

    @Override
    public Integer call() throws Exception {
        out = spec.commandLine().getOut();
        wipe(dir);
        Libvirt lv = Libvirt.system();
        String adminPassword = io.ferry.vault.auth.Secrets.newSecret("").substring(0, 20);
        step("starting the vault (embedded SQLite in " + dir.resolve("vault") + ")");
        VaultConfig vc = VaultConfig.defaults(dir.resolve("vault")).withBind(InetAddress.getLoopbackAddress()).withPort(0)
                .withTimings(Duration.ofSeconds(1), Duration.ofSeconds(10), Duration.ofSeconds(1)).withAdminPassword(adminPassword);
        try (Vault vault = Vault.start(vc)) {
            String caPem = vault.ca().certificatePem();
            URI url = URI.create(vault.url());
            String token = new VaultClient(url, null, caPem).login("admin", adminPassword).get("token").asString();
            VaultClient api = new VaultClient(url, token, caPem);
            CliConfig.load(System.getenv()).withSaved(url.toString(), token, caPem).save();
            out.println("  " + url + "  (logged in as admin: the `ferry` commands below talk to it)");

            JsonNode primary = api.post("/sites", Map.of("name", "primary", "description", "quickstart primary site"));
            JsonNode recovery = api.post("/sites", Map.of("name", "recovery", "description", "quickstart recovery site"));
            step("registering an agent for each site (one-time keys, client certificates from the vault's CA)");
            String fp = vault.ca().fingerprint();
            Agent primaryAgent = new Agent(new AgentConfig(url, dir.resolve("agent-primary"), key(api, primary), fp, null, null,
                    Pattern.compile("ferry-quickstart-.*"), null, "primary-host", 0, null), lv).start();
            Agent recoveryAgent = new Agent(new AgentConfig(url, dir.resolve("agent-recovery"), key(api, recovery), fp,
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), null, Pattern.compile("(?!)"), null,
                    "recovery-host", 0, null), lv).start();
            try (primaryAgent; recoveryAgent;
                 LabVm vm = LabVm.create(lv, LabVmSpec.builder().namePrefix("ferry-quickstart").diskSize(256L << 20)
                         .mode(LabVmSpec.Mode.WRITE).rate(50).max(0).build())) {
                step("started demo VM " + vm.name() + " (QEMU/TCG); its workload writes 50 records/s");
                JsonNode machine = await("the primary agent to discover " + vm.name(), Duration.ofSeconds(60), () -> {
                    List<JsonNode> l = api.list("/machines", Map.of("name", vm.name()));
                    return l.isEmpty() ? null : l.getFirst();
                });
                JsonNode policy = api.post("/policies", Map.of("name", "quickstart", "copyFrequencySeconds", copyFrequency,
                        "retentionSeconds", 3600, "rpoThresholdSeconds", 2 * copyFrequency));
                JsonNode pairing = api.post("/pairings", Map.of("name", "primary-to-recovery", "primarySiteId", primary.get("id").asString(),
                        "recoverySiteId", recovery.get("id").asString(), "policyId", policy.get("id").asString(),
                        "recoveryHostId", recoveryAgent.hostId()));
                step("protecting " + vm.name() + ": copy every " + copyFrequency + " s into repository "
                        + pairing.get("repositoryName").asString() + " on recovery-host");
                JsonNode job = api.post("/protected-machines", Map.of("machineId", machine.get("id").asString(),
                        "pairingId", pairing.get("id").asString()));
                String jobId = job.get("id").asString();
                String[] shown = {""};
                JsonNode done = await("job " + jobId, Duration.ofMinutes(10), () -> {
                    JsonNode j = api.get("/jobs/" + jobId);
                    JsonNode p = j.get("progress");
                    String line = String.format("  job %s  %-9s %-20s %s", jobId, j.get("state").asString(), j.get("step").asString(),
                            p == null || p.isNull() ? "" : String.format("%5.1f %% of %,d bytes", p.get("percent").asDouble(),
                                    p.get("bytesTotal").asLong()));
                    if (!line.equals(shown[0])) {
                        out.println(line);
                        out.flush();
                        shown[0] = line;
                    }
                    return j.get("state").asString().matches("SUCCEEDED|FAILED|CANCELLED") ? j : null;
                }, Duration.ofMillis(500));
                if (!"SUCCEEDED".equals(done.get("state").asString())) {
                    out.println("protection failed: " + done.get("error"));
                    return 1;
                }
                String pmId = job.get("targetId").asString();
                step("protected; waiting for " + points + " recovery points while the guest writes");
                await("points", Duration.ofMinutes(10), () -> {
                    JsonNode pm = api.get("/protected-machines/" + pmId);
                    int n = api.list("/protected-machines/" + pmId + "/points", Map.of()).size();
                    out.printf("  %s  state %-10s health %-8s RPO %5.1f s  points %d%n", Instant.now().toString().substring(11, 19),
                            pm.get("state").asString(), pm.get("health").asString(), pm.get("rpoSeconds").asDouble(), n);
                    out.flush();
                    return n >= points ? pm : null;
                }, Duration.ofSeconds(5));
                if (noFailover) {
                    out.println();
                    out.println("Ferry is protecting " + vm.name() + ". Try: ferry protected | ferry points " + vm.name()
                            + " | ferry jobs | ferry alerts | ferry hosts");
                } else if (!drillAndFailOver(api, lv, vm, pmId)) {
                    return 1;
                }
                if (keepRunning) {
                    out.println("Running until Ctrl-C.");
                    out.flush();
                    CountDownLatch stop = new CountDownLatch(1);
                    Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
                    stop.await();
                } else {
                    out.println("Stopping (use --keep-running to keep it up).");
                }
            }
        }
        return 0;
    }

    /**
     * A drill (test failover from the latest point, its verifier checked, cleaned up), then a planned
     * failover (clean shutdown, final sync, start) whose copy holds every record the guest wrote, and
     * the commit. The recovered VM is removed at the end unless --keep-running.
     */
    private boolean drillAndFailOver(VaultClient api, Libvirt lv, LabVm vm, String pmId) throws Exception {
        String base = "/protected-machines/" + pmId;
        String drill = vm.name() + "-drill";
        step("test failover: " + drill + " boots from the latest point on an isolated network; replication goes on");
        if (!succeeded(runJob(api, base + "/test-failover", Map.of("domainName", drill)))) return false;
        out.println("  " + drill + " says: " + console(drill, Duration.ofSeconds(90)));
        step("cleaning the drill up: domain, overlay, export and network removed");
        if (!succeeded(runJob(api, base + "/test-failover/cleanup", Map.of()))) return false;
        out.println("  left on libvirt: " + (lv.domainNames().contains(drill) ? drill + " (unexpected)" : "nothing of the drill"));
        String recovered = vm.name() + "-recovered";
        step("planned failover: shut " + vm.name() + " down cleanly, final sync, start " + recovered + " at the recovery site");
        if (!succeeded(runJob(api, base + "/failover", Map.of("planned", true, "domainName", recovered)))) return false;
        var last = Pattern.compile("FERRY-SHUTDOWN records=(\\d+)").matcher(vm.consoleText());
        out.println("  " + vm.name() + " wrote " + (last.find() ? last.group(1) : "?") + " records before it shut down; "
                + recovered + " says: " + console(recovered, Duration.ofSeconds(90)));
        step("commit: " + recovered + " gets its own disk (block pull) and no longer needs the repository");
        if (!succeeded(runJob(api, base + "/commit", Map.of()))) return false;
        out.println("  " + vm.name() + " is " + api.get(base).get("state").asString() + "; it runs as " + recovered);
        if (!keepRunning) io.ferry.lab.RecoveryLeftovers.removeOne(lv, recovered);
        return true;
    }

    private JsonNode runJob(VaultClient api, String path, Map<String, Object> body) throws Exception {
        String jobId = api.post(path, body).get("id").asString();
        String[] shown = {""};
        return await("job " + jobId, Duration.ofMinutes(10), () -> {
            JsonNode j = api.get("/jobs/" + jobId);
            String line = String.format("  job %s %-20s %-9s %-16s", jobId, j.get("type").asString(), j.get("state").asString(),
                    j.get("step").asString());
            if (!line.equals(shown[0])) {
                out.println(line);
                out.flush();
                shown[0] = line;
            }
            return j.get("state").asString().matches("SUCCEEDED|FAILED|CANCELLED") ? j : null;
        }, Duration.ofMillis(500));
    }

    private boolean succeeded(JsonNode job) {
        if ("SUCCEEDED".equals(job.get("state").asString())) return true;
        out.println(job.get("type").asString() + " " + job.get("state").asString() + ": " + job.get("error"));
        return false;
    }

    /** The verifier line the recovered copy prints on its console when it boots. */
    private static String console(String domain, Duration max) throws Exception {
        Path file = Libvirt.RECOVERY_CONSOLES.resolve(domain + ".log");
        Pattern verify = Pattern.compile("FERRY-VERIFY records=\\d+ status=\\w+");
        return await(domain + "'s verifier", max, () -> {
            if (!Files.exists(file)) return null;
            var m = verify.matcher(Files.readString(file));
            return m.find() ? m.group() : null;
        }, Duration.ofMillis(500));
    }

    private static String key(VaultClient api, JsonNode site) {
        return api.post("/sites/" + site.get("id").asString() + "/registration-keys", Map.of()).get("key").asString();
    }

    private void step(String s) {
        out.println("== " + s);
        out.flush();
    }

    interface Probe<T> {
        T get() throws Exception;
    }

    private static <T> T await(String what, Duration max, Probe<T> p) throws Exception {
        return await(what, max, p, Duration.ofSeconds(2));
    }

    private static <T> T await(String what, Duration max, Probe<T> p, Duration every) throws Exception {
        Instant end = Instant.now().plus(max);
        while (Instant.now().isBefore(end)) {
            T v = p.get();
            if (v != null) return v;
            Thread.sleep(every);
        }
        throw new IllegalStateException("gave up waiting for " + what + " after " + max.toSeconds() + " s");
    }

    private static void wipe(Path d) throws IOException {
        if (!Files.exists(d)) return;
        try (Stream<Path> s = Files.walk(d)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
