package io.ferry.vault;

import io.ferry.transport.tls.CertificateAuthority;
import io.ferry.transport.tls.TlsIdentity;
import io.ferry.vault.agents.AgentGateway;
import io.ferry.vault.agents.AgentReports;
import io.ferry.vault.agents.Assignments;
import io.ferry.vault.api.ApiServer;
import io.ferry.vault.auth.Access;
import io.ferry.vault.jobs.JobEngine;
import io.ferry.vault.jobs.Jobs;
import io.ferry.vault.monitor.Monitor;
import io.ferry.vault.store.Job;
import io.ferry.vault.store.VaultStore;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** A running vault: database, CA, API, job engine and monitor. {@link #start} returns when it serves. */
public final class Vault implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Vault.class.getName());

    private final VaultConfig cfg;
    private final VaultStore store;
    private final CertificateAuthority ca;
    private final ApiServer api;
    private final JobEngine engine;
    private final Monitor monitor;
    private final Optional<String> generatedAdminPassword;
    private final String url;

    private Vault(VaultConfig cfg, VaultStore store, CertificateAuthority ca, ApiServer api, JobEngine engine, Monitor monitor,
                  Optional<String> pw, String url) {
        this.cfg = cfg;
        this.store = store;
        this.ca = ca;
        this.api = api;
        this.engine = engine;
        this.monitor = monitor;
        this.generatedAdminPassword = pw;
        this.url = url;
    }

    public static JsonMapper json() {
        return JsonMapper.builder().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();
    }

    public static Vault start(VaultConfig cfg) throws IOException {
        Files.createDirectories(cfg.dataDir());
        Files.setPosixFilePermissions(cfg.dataDir(), PosixFilePermissions.fromString("rwx------"));
        VaultStore store = cfg.jdbcUrl() == null ? VaultStore.openSqlite(cfg.dataDir().resolve("vault.db"))
                : VaultStore.open(cfg.jdbcUrl(), cfg.jdbcUser(), cfg.jdbcPassword());
        try {
            CertificateAuthority ca = CertificateAuthority.createOrLoad(cfg.dataDir().resolve("ca"), "Ferry vault CA");
            List<String> names = serverNames(cfg);
            TlsIdentity server = ca.issueServer("ferry-vault", names, Duration.ofDays(397));
            JsonMapper json = json();
            Access access = new Access(store);
            Optional<String> pw = access.bootstrapAdmin(cfg.adminPassword());
            if (pw.isPresent() && cfg.adminPassword() == null) {
                Path f = cfg.dataDir().resolve("admin-password");
                Files.deleteIfExists(f);
                Files.createFile(f, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                Files.writeString(f, pw.get() + "\n", StandardOpenOption.TRUNCATE_EXISTING);
                LOG.log(System.Logger.Level.WARNING, "created user admin; its password is in {0}", f);
            }
            AgentReports reports = new AgentReports();
            Assignments assignments = new Assignments(store, cfg.gcGrace(), reports);
            AgentGateway gateway = new AgentGateway(store, ca, reports, assignments, json, cfg.heartbeatInterval());
            Jobs jobs = new Jobs(store, json);
            JobEngine engine = jobs.newEngine(reports, cfg.agentSilentAfter(), Duration.ofMillis(500), cfg.restorePatience());
            Monitor monitor = new Monitor(store, jobs, json, cfg.monitorInterval(), cfg.agentSilentAfter());
            PrometheusMeterRegistry metrics = metrics(store, monitor);
            String host = cfg.advertisedNames().isEmpty() ? hostOf(cfg.bind()) : cfg.advertisedNames().getFirst();
            // the URL is only known after binding when port 0 was asked for
            ApiServer api = ApiServer.start(cfg.bind(), cfg.port(), new ApiServer.Parts(store, access, jobs, gateway, ca, server,
                    metrics, json, cfg.agentSilentAfter(), "https://" + host + ":" + cfg.port()));
            String url = "https://" + host + ":" + api.port();
            List<Job> resumed = store.activeJobs();
            if (!resumed.isEmpty()) LOG.log(System.Logger.Level.INFO, "resuming {0} active jobs", resumed.size());
            engine.start();
            monitor.start();
            LOG.log(System.Logger.Level.INFO, "vault serving on {0} (database {1}, CA {2})", url, store.vendor(), ca.fingerprint());
            return new Vault(cfg, store, ca, api, engine, monitor, pw, url);
        } catch (IOException | RuntimeException e) {
            store.close();
            throw e;
        }
    }

    private static PrometheusMeterRegistry metrics(VaultStore store, Monitor monitor) {
        PrometheusMeterRegistry r = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        MultiGauge rpo = MultiGauge.builder("ferry_rpo_seconds").description("now minus the time of the latest point").register(r);
        Gauge.builder("ferry_active_alerts", store, s -> {
            // refresh the per-machine RPO rows on every scrape
            List<MultiGauge.Row<?>> rows = new ArrayList<>();
            monitor.rpoSeconds().forEach((id, v) -> rows.add(MultiGauge.Row.of(Tags.of("protected_machine", id), v)));
            rpo.register(rows, true);
            return s.activeAlerts().size();
        }).description("alerts currently raised").register(r);
        Gauge.builder("ferry_active_jobs", store, s -> s.activeJobs().size()).register(r);
        Gauge.builder("ferry_protected_machines", store, s -> s.protectedMachines().size()).register(r);
        return r;
    }

    static List<String> serverNames(VaultConfig cfg) {
        Set<String> names = new LinkedHashSet<>(cfg.advertisedNames());
        names.add("localhost");
        try {
            names.add(InetAddress.getLocalHost().getHostName());
        } catch (IOException ignored) {
            // no resolvable host name
        }
        try {
            for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                for (InetAddress a : Collections.list(ni.getInetAddresses())) {
                    if (!(a instanceof Inet6Address)) names.add(a.getHostAddress());
                }
            }
        } catch (SocketException ignored) {
            // interfaces unreadable: the advertised names and localhost remain
        }
        if (!cfg.bind().isAnyLocalAddress()) names.add(cfg.bind().getHostAddress());
        return List.copyOf(names);
    }

    private static String hostOf(InetAddress bind) {
        return bind.isAnyLocalAddress() ? "127.0.0.1" : bind.getHostAddress();
    }

    public String url() { return url; }

    public int port() { return api.port(); }

    public CertificateAuthority ca() { return ca; }

    public VaultStore store() { return store; }

    public Optional<String> generatedAdminPassword() { return generatedAdminPassword; }

    public Monitor monitor() { return monitor; }

    @Override
    public void close() {
        monitor.close();
        engine.close();
        api.close();
        store.close();
    }
}
