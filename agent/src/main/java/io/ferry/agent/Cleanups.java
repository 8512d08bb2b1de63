package io.ferry.agent;

import io.ferry.datapath.capture.MachineCapture;
import io.ferry.hypervisor.CheckpointInfo;
import io.ferry.hypervisor.Libvirt;
import io.ferry.hypervisor.UnknownDomainException;
import io.ferry.protocol.CleanupAssignment;
import io.ferry.protocol.CleanupReport;
import io.ferry.protocol.ErrorInfo;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One-off cleanups the vault asks for when protection is disabled. CHECKPOINTS removes Ferry's
 * checkpoints (and so QEMU's dirty bitmaps) of a domain; other checkpoints are left alone. Done
 * cleanups are remembered until the vault stops asking.
 */
final class Cleanups {
    private static final System.Logger LOG = System.getLogger(Cleanups.class.getName());
    private final Libvirt libvirt;
    private final Map<String, CleanupReport> outcomes = new ConcurrentHashMap<>();

    Cleanups(Libvirt libvirt) {
        this.libvirt = libvirt;
    }

    /** Runs the cleanups not done yet; {@code busyDomains} are still being captured and wait. */
    void reconcile(List<CleanupAssignment> wanted, Set<String> busyDomains) {
        Set<String> ids = new HashSet<>();
        for (CleanupAssignment c : wanted) {
            ids.add(c.id());
            CleanupReport before = outcomes.get(c.id());
            if (before != null && before.done()) continue;
            if (busyDomains.contains(c.domain())) continue;
            outcomes.put(c.id(), run(c));
        }
        outcomes.keySet().retainAll(ids);
    }

    private CleanupReport run(CleanupAssignment c) {
        if (!"CHECKPOINTS".equals(c.kind())) {
            return new CleanupReport(c.id(), false, ErrorInfo.of("INVALID_ARGUMENT", "unknown cleanup kind " + c.kind(),
                    "upgrade the agent to the vault's version"));
        }
        try {
            List<String> removed = new ArrayList<>();
            List<CheckpointInfo> cps = libvirt.checkpoints(c.domain());
            // newest first, so each deletion removes a leaf
            for (int i = cps.size() - 1; i >= 0; i--) {
                String name = cps.get(i).name();
                if (name.startsWith(MachineCapture.CHECKPOINT_PREFIX)) {
                    libvirt.deleteCheckpoint(c.domain(), name);
                    removed.add(name);
                }
            }
            LOG.log(System.Logger.Level.INFO, "removed checkpoints {0} of {1}", removed, c.domain());
            return new CleanupReport(c.id(), true, null);
        } catch (UnknownDomainException gone) {
            return new CleanupReport(c.id(), true, null);
        } catch (RuntimeException e) {
            return new CleanupReport(c.id(), false, ErrorInfo.of("CLEANUP_FAILED",
                    "removing Ferry's checkpoints of " + c.domain() + " failed: " + e.getMessage(),
                    "check `virsh checkpoint-list " + c.domain() + "`; the vault retries"));
        }
    }

    List<CleanupReport> reports() {
        return List.copyOf(outcomes.values());
    }
}
