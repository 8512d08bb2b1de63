package io.ferry.agent;

import io.ferry.datapath.capture.CaptureOptions;
import io.ferry.datapath.capture.CaptureResult;
import io.ferry.datapath.capture.MachineCapture;
import io.ferry.hypervisor.Libvirt;
import io.ferry.protocol.ErrorInfo;
import io.ferry.protocol.SeedAssignment;
import io.ferry.protocol.SeedReport;
import io.ferry.repository.Repository;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Seeds for a reprotect: a local capture of a domain of this host into a repository this agent
 * keeps, so that the replication from the other site finds those chunks stored and sends only
 * the ones that differ. One capture per assignment id; the report stays while it is assigned.
 */
final class Seeds {
    private static final System.Logger LOG = System.getLogger(Seeds.class.getName());

    private final Libvirt libvirt;
    private final RecoveryRepositories repositories;
    private final int workers;
    private final Map<String, SeedReport> reports = new ConcurrentHashMap<>();

    Seeds(Libvirt libvirt, RecoveryRepositories repositories, int workers) {
        this.libvirt = libvirt;
        this.repositories = repositories;
        this.workers = workers;
    }

    synchronized void reconcile(List<SeedAssignment> wanted) {
        Set<String> ids = new HashSet<>();
        for (SeedAssignment a : wanted) {
            ids.add(a.id());
            if (reports.putIfAbsent(a.id(), new SeedReport(a.id(), false, null, 0, 0, null)) == null) {
                Thread.ofVirtual().name("seed-" + a.domain()).start(() -> seed(a));
            }
        }
        reports.keySet().removeIf(id -> !ids.contains(id) && (reports.get(id).done() || reports.get(id).error() != null));
    }

    List<SeedReport> reports() {
        return new ArrayList<>(reports.values());
    }

    private void seed(SeedAssignment a) {
        try {
            Repository repo = repositories.repository(a.repository()).orElseThrow(() -> new AgentException(
                    "repository " + a.repository() + " is not kept on this agent", "the vault assigns it first; wait"));
            LOG.log(System.Logger.Level.INFO, "seeding repository {0} from {1} (local capture)", a.repository(), a.domain());
            // by digests: the repository may hold points of a machine of the same name whose checkpoint this domain lacks
            CaptureResult r = new MachineCapture(libvirt, repo, CaptureOptions.defaults().withWorkers(workers).withResync(true))
                    .capture(a.domain(), null, (phase, done, total) -> { });
            reports.put(a.id(), new SeedReport(a.id(), true, r.point().id(), r.bytesRead(), r.bytesStored(), null));
            LOG.log(System.Logger.Level.INFO, "seeded {0} from {1}: point {2}, {3} bytes read, {4} stored", a.repository(),
                    a.domain(), r.point().id(), r.bytesRead(), r.bytesStored());
        } catch (Exception e) {
            String hint = e instanceof AgentException ae ? ae.hint() : "check that the domain exists on this host";
            reports.put(a.id(), new SeedReport(a.id(), false, null, 0, 0, ErrorInfo.of("SEED_FAILED",
                    "cannot seed " + a.repository() + " from " + a.domain() + ": " + e.getMessage(), hint)));
            LOG.log(System.Logger.Level.WARNING, "seeding " + a.repository() + " from " + a.domain() + " failed", e);
        }
    }
}
