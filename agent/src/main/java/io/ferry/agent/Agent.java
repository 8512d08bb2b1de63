package io.ferry.agent;

import io.ferry.hypervisor.Libvirt;
import io.ferry.protocol.Heartbeat;
import io.ferry.protocol.HeartbeatResponse;
import io.ferry.protocol.Inventory;
import io.ferry.protocol.ReplicationReport;
import io.ferry.protocol.SourceAssignment;
import io.ferry.transport.blobs.BlobServer;
import io.ferry.transport.tls.Tls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One agent: registration, the data port, and the heartbeat loop that reconciles assignments.
 * {@link #start()} returns once registered and serving; {@link #close()} stops everything.
 */
public final class Agent implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Agent.class.getName());
    public static final String VERSION = "0.1.0";

    private final AgentConfig cfg;
    private final Libvirt libvirt;
    private AgentIdentity identity;
    private VaultConnection vault;
    private BlobServer dataServer;
    private RecoveryRepositories repositories;
    private RepositoryKeys keys;
    private PendingPoints pending;
    private LastAssignments lastAssignments;
    private Cleanups cleanups;
    private InventoryScanner inventory;
    private RecoveryVms recoveryVms;
    private PowerControl power;
    private Seeds seeds;
    private Restores restores;
    private final Map<String, SourceReplication> sources = new HashMap<>();
    private volatile boolean closed;
    private Thread loop;
    private volatile Instant lastContact;
    private volatile int heartbeatSeconds = 5;
    private volatile Inventory lastInventory;
    private Instant lastInventoryAt = Instant.EPOCH;

    public Agent(AgentConfig cfg, Libvirt libvirt) {
        this.cfg = cfg;
        this.libvirt = libvirt;
    }

    public Agent start() throws IOException {
        Files.createDirectories(cfg.stateDir());
        Files.setPosixFilePermissions(cfg.stateDir(), PosixFilePermissions.fromString("rwx------"));
        identity = AgentIdentity.exists(cfg.stateDir()) ? AgentIdentity.load(cfg.stateDir())
                : AgentIdentity.register(cfg, VERSION);
        LOG.log(System.Logger.Level.INFO, "agent {0} of site {1}, vault {2}", identity.hostId(), identity.siteId(), cfg.vault());
        keys = new RepositoryKeys(cfg.stateDir());
        lastAssignments = new LastAssignments(cfg.stateDir().resolve("assignments.json"));
        pending = new PendingPoints(cfg.stateDir().resolve("pending-points.json"));
        cleanups = new Cleanups(libvirt);
        inventory = new InventoryScanner(libvirt, cfg.inventoryFilter());
        repositories = new RecoveryRepositories(cfg.repositoriesDir(), keys,
                Duration.ofSeconds(Long.getLong("ferry.agent.gcIntervalSeconds", 3600)));
        if (cfg.dataListen() != null) {
            dataServer = BlobServer.start(cfg.dataListen(), Tls.server(identity.tls(), identity.ca()), repositories::access);
            LOG.log(System.Logger.Level.INFO, "serving repositories on {0}", dataServer.address());
        }
        recoveryVms = new RecoveryVms(libvirt, repositories, cfg.stateDir().resolve("recovery-vms.json"),
                RecoveryVms.Places.standard());
        power = new PowerControl(libvirt);
        seeds = new Seeds(libvirt, repositories, cfg.captureWorkers());
        restores = new Restores(libvirt, repositories, cfg.captureWorkers(), identity, keys, cfg.requestTimeout(),
                Libvirt.RECOVERY_IMAGES, Libvirt.RECOVERY_CONSOLES, cfg.stateDir().resolve("restores.json"));
        vault = new VaultConnection(cfg, identity);
        // what the vault last asked, so a restart during a vault outage goes on replicating and serving
        recoveryVms.resume(); // exports first: a recovery VM may be reading them right now
        HeartbeatResponse last = lastAssignments.load();
        if (last != null) {
            LOG.log(System.Logger.Level.INFO, "resuming the last assignments until the vault answers");
            apply(last);
        }
        loop = Thread.ofPlatform().name("agent-heartbeat").daemon(true).start(this::run);
        return this;
    }

    public String hostId() {
        return identity.hostId();
    }

    public BlobServer dataServer() {
        return dataServer;
    }

    private void run() {
        Duration backoff = Duration.ofSeconds(1);
        while (!closed) {
            try {
                HeartbeatResponse r = vault.send(heartbeat());
                lastContact = Instant.now();
                apply(r);
                lastAssignments.save(r);
                backoff = Duration.ofSeconds(1);
                sleep(Duration.ofSeconds(Math.max(1, r.heartbeatSeconds())));
            } catch (Exception e) {
                // keep doing what we were last told; replication does not depend on the vault being up
                LOG.log(System.Logger.Level.WARNING, "heartbeat to " + cfg.vault() + " failed: " + e.getMessage()
                        + " (replication goes on with the last assignments)");
                sleep(backoff);
                backoff = backoff.multipliedBy(2).compareTo(Duration.ofSeconds(heartbeatSeconds)) > 0
                        ? Duration.ofSeconds(heartbeatSeconds) : backoff.multipliedBy(2);
            }
        }
    }

    private Heartbeat heartbeat() {
        // libvirt inventory costs a few virsh calls per domain: refresh it at most every 10 s
        if (lastInventory == null || Duration.between(lastInventoryAt, Instant.now()).toSeconds() >= 10) {
            try {
                lastInventory = inventory.scan();
                lastInventoryAt = Instant.now();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "inventory failed: " + e.getMessage());
                if (lastInventory == null) lastInventory = new Inventory(List.of(), List.of());
            }
        }
        List<ReplicationReport> reps = new ArrayList<>();
        synchronized (sources) {
            for (SourceReplication s : sources.values()) reps.add(s.report());
            // points committed just before a replication was stopped still reach the catalogue
            for (String m : pending.machines()) {
                if (!sources.containsKey(m)) {
                    reps.add(new ReplicationReport(m, "STOPPED", null, 0, 0, null, null, 0, pending.of(m), false, null));
                }
            }
        }
        return new Heartbeat(VERSION, cfg.hostname(), dataServer == null ? null : dataAddress(), Instant.now(),
                lastInventory, reps, repositories.reports(), cleanups.reports(), recoveryVms.reports(), power.reports(), seeds.reports(),
                restores.reports());
    }

    /** The advertised data address; port 0 (picked at start) is replaced by the port actually bound. */
    private String dataAddress() {
        String a = cfg.dataAdvertise();
        if (a.endsWith(":0")) return a.substring(0, a.length() - 1) + dataServer.port();
        return a;
    }

    private void apply(HeartbeatResponse r) {
        heartbeatSeconds = Math.max(1, r.heartbeatSeconds());
        pending.acknowledge(r.acknowledgedPoints());
        Set<String> busy = new HashSet<>();
        synchronized (sources) {
            Set<String> wanted = new HashSet<>();
            for (SourceAssignment a : r.sources()) {
                wanted.add(a.protectedMachineId());
                SourceReplication s = sources.get(a.protectedMachineId());
                if (s == null) {
                    sources.put(a.protectedMachineId(), new SourceReplication(a, libvirt, identity, keys, pending,
                            cfg.captureWorkers(), cfg.requestTimeout()));
                    LOG.log(System.Logger.Level.INFO, "replicating {0} to {1}", a.domain(), a.recoveryDataAddress());
                } else {
                    s.update(a);
                }
            }
            for (var it = sources.entrySet().iterator(); it.hasNext(); ) {
                var e = it.next();
                if (!wanted.contains(e.getKey())) {
                    e.getValue().close();
                    if (!e.getValue().running()) {
                        it.remove();
                        LOG.log(System.Logger.Level.INFO, "stopped replicating {0}", e.getKey());
                    }
                }
            }
            // a domain is busy while a replication of it still exists (running, or stopping)
            for (SourceReplication s : sources.values()) busy.add(s.domain());
        }
        repositories.reconcile(r.repositories());
        cleanups.reconcile(r.cleanups(), busy);
        recoveryVms.reconcile(r.recoveryVms());
        power.reconcile(r.power());
        seeds.reconcile(r.seeds());
        restores.reconcile(r.restores());
    }

    private void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            closed = true;
        }
    }

    @Override
    public void close() {
        closed = true;
        if (loop != null) loop.interrupt();
        synchronized (sources) {
            sources.values().forEach(SourceReplication::close);
            for (SourceReplication s : sources.values()) {
                try {
                    s.awaitStopped(Duration.ofMinutes(2));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            sources.clear();
        }
        if (recoveryVms != null) recoveryVms.close();
        if (power != null) power.close();
        if (dataServer != null) dataServer.close();
        if (repositories != null) repositories.close();
    }
}
