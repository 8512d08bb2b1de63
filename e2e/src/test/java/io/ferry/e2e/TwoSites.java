package io.ferry.e2e;

import io.ferry.cli.remote.VaultClient;
import io.ferry.lab.net.Site;
import io.ferry.lab.net.TwoSiteNetwork;
import io.ferry.vault.Vault;
import io.ferry.vault.VaultConfig;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.awaitility.Awaitility.await;

/**
 * Two sites on this machine: a vault in the root namespace (in this JVM, so a test can restart
 * it) and one agent JVM per site, each in its own network namespace; the sites reach each other
 * only over the site link (which tests can cut) and the vault over their management links.
 */
public final class TwoSites implements AutoCloseable {
    static final String ADMIN_PASSWORD = "e2e-admin-password";
    static final int DATA_PORT = 9443;

    final TwoSiteNetwork net;
    final Path work;
    final String machinePrefix;
    private final int port;
    private Vault vault;
    public VaultClient api;
    /** The API's URL and an admin token (benchmarks drive the API with their own clients). */
    public URI url;
    public String token;
    String primarySiteId;
    String recoverySiteId;
    public AgentProcess primary;
    public AgentProcess recovery;
    /** A second host of the primary site (started on demand: an alternate location for failback). */
    public AgentProcess primary2;
    String primary2HostId;
    String primaryHostId;
    String recoveryHostId;

    private TwoSites(TwoSiteNetwork net, Path work, String machinePrefix, int port) {
        this.net = net;
        this.work = work;
        this.machinePrefix = machinePrefix;
        this.port = port;
    }

    public static TwoSites start(String prefix, Path work, String machinePrefix) throws Exception {
        TwoSiteNetwork net = TwoSiteNetwork.create(prefix);
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        TwoSites t = new TwoSites(net, work, machinePrefix, port);
        try {
            t.startVault();
            t.primarySiteId = t.api.post("/sites", Map.of("name", "primary")).get("id").asString();
            t.recoverySiteId = t.api.post("/sites", Map.of("name", "recovery")).get("id").asString();
            // the primary listens too: after a failover it receives the reverse replication
            t.primary = t.agent(Site.A, "primary", t.primarySiteId, List.of("--inventory-filter", machinePrefix + ".*",
                    "--data-listen", net.siteA().getHostAddress() + ":" + DATA_PORT)).start();
            t.recovery = t.agent(Site.B, "recovery", t.recoverySiteId, List.of("--inventory-filter", "(?!)",
                    "--data-listen", net.siteB().getHostAddress() + ":" + DATA_PORT)).start();
            await().atMost(Duration.ofSeconds(60)).until(() -> t.api.list("/hosts", Map.of()).size() == 2
                    && t.api.list("/hosts", Map.of()).stream().allMatch(h -> "ONLINE".equals(h.get("status").asString())));
            for (JsonNode h : t.api.list("/hosts", Map.of())) {
                if (h.get("siteId").asString().equals(t.primarySiteId)) t.primaryHostId = h.get("id").asString();
                else t.recoveryHostId = h.get("id").asString();
            }
            return t;
        } catch (Throwable e) {
            t.close();
            throw e;
        }
    }

    /**
     * Starts a second agent on the primary site (same network namespace and libvirt as the first,
     * so it reports only domains matching {@code inventoryFilter}); returns its host id.
     */
    public String startSecondPrimary(String inventoryFilter) throws Exception {
        primary2 = agent(Site.A, "primary2", primarySiteId, List.of("--inventory-filter", inventoryFilter)).start();
        await().atMost(Duration.ofSeconds(60)).until(() -> api.list("/hosts", Map.of()).stream()
                .anyMatch(h -> "e2e-primary2".equals(h.get("name").asString()) && "ONLINE".equals(h.get("status").asString())));
        primary2HostId = api.list("/hosts", Map.of()).stream().filter(h -> "e2e-primary2".equals(h.get("name").asString()))
                .findFirst().orElseThrow().get("id").asString();
        return primary2HostId;
    }

    void startVault() throws IOException {
        VaultConfig cfg = VaultConfig.defaults(work.resolve("vault")).withBind(InetAddress.getByName("0.0.0.0")).withPort(port)
                .withTimings(Duration.ofSeconds(1), Duration.ofSeconds(6), Duration.ofSeconds(1)).withAdminPassword(ADMIN_PASSWORD);
        vault = Vault.start(cfg);
        url = URI.create("https://127.0.0.1:" + port);
        token = new VaultClient(url, null, vault.ca().certificatePem()).login("admin", ADMIN_PASSWORD).get("token").asString();
        api = new VaultClient(url, token, vault.ca().certificatePem());
    }

    void stopVault() {
        vault.close();
        vault = null;
    }

    public Vault vault() {
        return vault;
    }

    public String caPem() {
        return vault.ca().certificatePem();
    }

    private AgentProcess agent(Site site, String name, String siteId, List<String> extra) {
        String key = api.post("/sites/" + siteId + "/registration-keys", Map.of()).get("key").asString();
        List<String> args = new ArrayList<>(List.of("--vault", "https://" + net.vaultAddressFrom(site).getHostAddress() + ":" + port,
                "--state", work.resolve("agent-" + name).toString(), "--key", key, "--ca-fingerprint", vault.ca().fingerprint(),
                "--hostname", "e2e-" + name));
        args.addAll(extra);
        return new AgentProcess(net, site, work.resolve("agent-" + name), args);
    }

    /** Path of a repository the primary agent keeps (reverse replication: {@code <pairing repository>-back}). */
    Path primaryRepository(String name) {
        return work.resolve("agent-primary").resolve("repositories").resolve(name);
    }

    /** Path of the pairing's repository on the recovery agent. */
    Path repository(String name) {
        return work.resolve("agent-recovery").resolve("repositories").resolve(name);
    }

    public String policy(String name, int copyFrequency, int retention, long bandwidth) {
        return policy(name, copyFrequency, retention, bandwidth, false);
    }

    String policy(String name, int copyFrequency, int retention, long bandwidth, boolean encryption) {
        return api.post("/policies", Map.of("name", name, "copyFrequencySeconds", copyFrequency, "retentionSeconds", retention,
                "bandwidthLimitBytesPerSecond", bandwidth, "encryption", encryption)).get("id").asString();
    }

    /** The key the vault gave the recovery agent for an encrypted repository. */
    io.ferry.repository.KeySource repositoryKey(String repository) {
        return new io.ferry.repository.KeySource.KeyFile(work.resolve("agent-recovery").resolve("keys").resolve(repository + ".key"));
    }

    public String pairing(String name, String policyId) {
        return api.post("/pairings", Map.of("name", name, "primarySiteId", primarySiteId, "recoverySiteId", recoverySiteId,
                "policyId", policyId, "recoveryHostId", recoveryHostId)).get("id").asString();
    }

    /** A pairing whose recovery VMs join {@code networkMapping}'s recovery networks (source network → recovery network). */
    public String pairing(String name, String policyId, Map<String, String> networkMapping) {
        return api.post("/pairings", Map.of("name", name, "primarySiteId", primarySiteId, "recoverySiteId", recoverySiteId,
                "policyId", policyId, "recoveryHostId", recoveryHostId, "networkMapping", networkMapping)).get("id").asString();
    }

    /** The machine id of a domain once the primary agent's inventory (every 10 s) reported it. */
    public String machineId(String vmName) {
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).until(() -> !api.list("/machines", Map.of("name", vmName)).isEmpty());
        return api.list("/machines", Map.of("name", vmName)).getFirst().get("id").asString();
    }

    /** Starts protection; returns the job. */
    public JsonNode protect(String machineId, String pairingId) {
        return api.post("/protected-machines", Map.of("machineId", machineId, "pairingId", pairingId));
    }

    public JsonNode unprotect(String pmId) {
        return api.post("/protected-machines/" + pmId + "/unprotect", Map.of("deletePoints", false));
    }

    /** Waits for a job to end; returns its final state. */
    public String awaitJob(String id, Duration max) {
        await().atMost(max).pollInterval(Duration.ofSeconds(1)).until(() -> {
            String st = job(id).get("state").asString();
            return st.equals("SUCCEEDED") || st.equals("FAILED") || st.equals("CANCELLED");
        });
        return job(id).get("state").asString();
    }

    public List<JsonNode> protectedMachines() {
        return api.list("/protected-machines", Map.of());
    }

    /** Stops both agents (the vault keeps running). */
    public void stopAgents() throws InterruptedException {
        if (primary != null) primary.close();
        if (recovery != null) recovery.close();
        if (primary2 != null) primary2.close();
    }

    public JsonNode job(String id) {
        return api.get("/jobs/" + id);
    }

    public JsonNode protectedMachine(String id) {
        return api.get("/protected-machines/" + id);
    }

    public List<JsonNode> points(String pmId) {
        return api.list("/protected-machines/" + pmId + "/points", Map.of());
    }

    public String diagnostics() {
        return "\n--- primary agent log (tail) ---\n" + tail(primary.logText()) + "\n--- recovery agent log (tail) ---\n" + tail(recovery.logText())
                + (primary2 == null ? "" : "\n--- second primary agent log (tail) ---\n" + tail(primary2.logText()));
    }

    private static String tail(String s) {
        return s.length() > 6000 ? s.substring(s.length() - 6000) : s;
    }

    @Override
    public void close() throws Exception {
        try {
            stopAgents();
        } finally {
            if (vault != null) vault.close();
            net.close();
        }
    }
}
