package io.ferry.vault.agents;

import io.ferry.protocol.Heartbeat;
import io.ferry.protocol.HeartbeatResponse;
import io.ferry.protocol.Inventory;
import io.ferry.protocol.PointReport;
import io.ferry.protocol.RegisterRequest;
import io.ferry.protocol.RegisterResponse;
import io.ferry.protocol.ReplicationReport;
import io.ferry.protocol.RepositoryReport;
import io.ferry.transport.tls.CertificateAuthority;
import io.ferry.transport.tls.Certificates;
import io.ferry.transport.tls.Pem;
import io.ferry.vault.api.ApiException;
import io.ferry.vault.auth.Secrets;
import io.ferry.vault.store.DiscoveredMachine;
import io.ferry.vault.store.Host;
import io.ferry.vault.store.Machine;
import io.ferry.vault.store.ProtectedMachine;
import io.ferry.vault.store.RecoveryPoint;
import io.ferry.vault.store.RegistrationKey;
import io.ferry.vault.store.VaultStore;
import tools.jackson.databind.json.JsonMapper;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Registration and heartbeats. A heartbeat records the agent's liveness and inventory, files its
 * reports (live replication progress, committed points, repository state), and returns the
 * agent's assignments with the points it may stop reporting.
 */
public final class AgentGateway {
    private static final System.Logger LOG = System.getLogger(AgentGateway.class.getName());
    public static final Duration CERTIFICATE_VALIDITY = Duration.ofDays(365);

    private final VaultStore store;
    private final CertificateAuthority ca;
    private final AgentReports reports;
    private final Assignments assignments;
    private final JsonMapper json;
    private final Duration heartbeatInterval;
    private final Map<String, Integer> inventoryHash = new ConcurrentHashMap<>();

    public AgentGateway(VaultStore store, CertificateAuthority ca, AgentReports reports, Assignments assignments,
                        JsonMapper json, Duration heartbeatInterval) {
        this.store = store;
        this.ca = ca;
        this.reports = reports;
        this.assignments = assignments;
        this.json = json;
        this.heartbeatInterval = heartbeatInterval;
    }

    /** Registers a host with a one-time key; the key is consumed whatever the outcome after it is checked. */
    public RegisterResponse register(RegisterRequest r) {
        if (r == null || blank(r.key()) || blank(r.csr()) || blank(r.hostname())) {
            throw ApiException.invalid("registration needs key, hostname and csr",
                    "run `ferry agent --vault URL --key KEY --ca-fingerprint FP` on the host");
        }
        if (r.hostname().length() > 253) throw ApiException.invalid("hostname is longer than 253 characters", null);
        String hostId = io.ferry.vault.store.Ids.newId("host");
        X509Certificate cert;
        try {
            cert = ca.signAgent(r.csr(), hostId, CERTIFICATE_VALIDITY);
        } catch (io.ferry.transport.tls.TlsException | RuntimeException e) {
            throw ApiException.invalid("the certificate request of " + r.hostname() + " is not valid: " + e.getMessage(),
                    "the agent generates it; upgrade or restart the agent");
        }
        Instant now = Instant.now();
        Optional<RegistrationKey> key = store.consumeRegistrationKey(Secrets.hash(r.key()), hostId, now);
        if (key.isEmpty()) {
            throw new ApiException(401, "UNAUTHENTICATED",
                    "registration key refused for host " + r.hostname() + ": it is unknown, expired or already used",
                    "create a new key with `ferry registration-key SITE` (each key registers one host, once)");
        }
        store.createHost(new Host(hostId, key.get().siteId(), r.hostname(), null, Certificates.fingerprint(cert), now, null,
                r.agentVersion(), null));
        LOG.log(System.Logger.Level.INFO, "registered host {0} ({1}) in site {2}", hostId, r.hostname(), key.get().siteId());
        return new RegisterResponse(hostId, key.get().siteId(), Pem.certificate(cert), ca.certificatePem());
    }

    public AgentReports reports() {
        return reports;
    }

    public HeartbeatResponse heartbeat(String hostId, Heartbeat hb) {
        // a certificate of this CA whose host is not (or no longer) registered: an identity the vault does not know (401, as openapi.yaml says)
        Host host = store.host(hostId).orElseThrow(() -> new ApiException(401, "UNAUTHENTICATED",
                "agent " + hostId + " is not registered with this vault", "register the agent again with a new key"));
        Instant now = Instant.now();
        Inventory inv = hb.inventory() == null ? new Inventory(List.of(), List.of()) : hb.inventory();
        String invJson = json.writeValueAsString(inv);
        store.recordHeartbeat(host.id(), now, hb.agentVersion(), hb.dataAddress(),
                json.writeValueAsString(Map.of("networks", inv.networks(), "hostname", String.valueOf(hb.hostname()))));
        if (!Integer.valueOf(invJson.hashCode()).equals(inventoryHash.get(hostId))) {
            List<DiscoveredMachine> seen = new ArrayList<>();
            for (Inventory.Domain d : inv.domains()) {
                seen.add(new DiscoveredMachine(d.uuid(), d.name(), d.state(), json.writeValueAsString(d.disks()),
                        json.writeValueAsString(d.nics())));
            }
            store.upsertMachines(hostId, seen, now);
            inventoryHash.put(hostId, invJson.hashCode());
        }
        reports.put(hostId, hb, now);
        List<String> acked = new ArrayList<>();
        for (ReplicationReport r : hb.replications()) acked.addAll(fileReplication(hostId, r, now));
        for (RepositoryReport r : hb.repositories()) fileRepository(hostId, r, now);
        fileRecoveryVms(hostId, hb);
        return new HeartbeatResponse((int) heartbeatInterval.toSeconds(), assignments.sources(hostId),
                assignments.repositories(hostId), assignments.cleanups(hostId), acked, assignments.recoveryVms(hostId),
                assignments.power(hostId), assignments.seeds(hostId), assignments.restores(hostId));
    }

    /**
     * A recovery VM the vault no longer wants (desired REMOVED) leaves the database once its agent
     * reports it REMOVED; jobs waiting for that see the row gone.
     */
    private void fileRecoveryVms(String hostId, Heartbeat hb) {
        for (io.ferry.protocol.RecoveryVmReport r : hb.recoveryVms()) {
            if (!io.ferry.protocol.RecoveryVmReport.REMOVED.equals(r.phase())) continue;
            store.recoveryVm(r.id()).ifPresent(vm -> {
                if (vm.hostId().equals(hostId) && io.ferry.vault.store.RecoveryVm.REMOVED.equals(vm.desired())) {
                    store.deleteRecoveryVm(vm.id());
                }
            });
        }
    }

    private List<String> fileReplication(String hostId, ReplicationReport r, Instant now) {
        Optional<ProtectedMachine> pmo = store.protectedMachine(r.protectedMachineId());
        if (pmo.isEmpty()) {
            // protection was disabled meanwhile: nothing to record, but let the agent forget the points
            return r.points().stream().map(PointReport::id).toList();
        }
        ProtectedMachine pm = pmo.get();
        Machine m = store.machine(pm.machineId()).orElse(null);
        if (m == null || !ReplicationRoute.of(pm, m, store.pairing(pm.pairingId()).orElseThrow()).sourceHostId().equals(hostId)) {
            LOG.log(System.Logger.Level.WARNING, "agent {0} reported on {1}, which is not one of its machines; ignored", hostId, pm.id());
            return r.points().stream().map(PointReport::id).toList();
        }
        List<String> acked = new ArrayList<>();
        RecoveryPoint newest = null;
        Instant newestData = null;
        for (PointReport p : r.points()) {
            RecoveryPoint rp = new RecoveryPoint(p.id(), pm.id(), p.createdAt(), p.consistency(), p.mode(), p.parentId(),
                    p.bytesRead(), p.bytesStored(), json.writeValueAsString(p.disks()), RecoveryPoint.AVAILABLE, null, p.repository());
            store.insertPoint(rp);
            acked.add(p.id());
            if (newest == null || p.createdAt().isAfter(newest.createdAt())) {
                newest = rp;
                // RPO counts from when the data was frozen, not from the commit (a long copy would hide its own length)
                newestData = p.dataAt() != null && p.dataAt().isBefore(p.createdAt()) ? p.dataAt() : p.createdAt();
            }
        }
        if (newest != null && (pm.latestPointAt() == null || newestData.isAfter(pm.latestPointAt()))) {
            store.updateLatestPoint(pm.id(), newest.id(), newestData);
        }
        Map<String, Object> live = new HashMap<>();
        live.put("phase", r.phase());
        live.put("mode", r.mode());
        live.put("bytesDone", r.bytesDone());
        live.put("bytesTotal", r.bytesTotal());
        double percent = r.bytesTotal() > 0 ? Math.min(100.0, 100.0 * r.bytesDone() / r.bytesTotal()) : 0;
        live.put("percent", Math.round(percent * 10) / 10.0);
        Long eta = null;
        if (r.cycleStartedAt() != null && r.bytesDone() > 0 && r.bytesTotal() > r.bytesDone()) {
            double secs = Math.max(0.001, Duration.between(r.cycleStartedAt(), now).toMillis() / 1000.0);
            eta = (long) Math.ceil((r.bytesTotal() - r.bytesDone()) / (r.bytesDone() / secs));
        }
        live.put("etaSeconds", eta);
        live.put("cycleStartedAt", r.cycleStartedAt() == null ? null : r.cycleStartedAt().toString());
        live.put("lastCycleAt", r.lastCycleAt() == null ? null : r.lastCycleAt().toString());
        live.put("lastCycleSeconds", r.lastCycleSeconds());
        live.put("resyncRequired", r.resyncRequired());
        live.put("reportedAt", now.toString());
        store.updateReplication(pm.id(), json.writeValueAsString(live), r.error() == null ? null : r.error().message());
        return acked;
    }

    /**
     * Only the keeper of a repository may report deletions from it — the pairing's recovery host for
     * the forward one, a machine's own host for the reverse one — and only of points retention expired there.
     */
    private void fileRepository(String hostId, RepositoryReport r, Instant now) {
        if (r.deletedPoints().isEmpty()) return;
        java.util.Set<String> expiring = new java.util.HashSet<>();
        for (var pairing : store.pairings()) {
            boolean forward = pairing.recoveryHostId().equals(hostId) && pairing.repositoryName().equals(r.name());
            boolean reverse = ReplicationRoute.reverseRepository(pairing).equals(r.name());
            if (!forward && !reverse) continue;
            for (ProtectedMachine pm : store.protectedMachinesByPairing(pairing.id())) {
                if (reverse && !store.machine(pm.machineId()).map(x -> x.hostId().equals(hostId)).orElse(false)) continue;
                for (RecoveryPoint p : store.expiringPoints(pm.id())) {
                    if (r.name().equals(p.repository() == null ? pairing.repositoryName() : p.repository())) expiring.add(p.id());
                }
            }
        }
        List<String> accepted = r.deletedPoints().stream().filter(expiring::contains).toList();
        if (!accepted.isEmpty()) store.markDeleted(accepted, now);
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
