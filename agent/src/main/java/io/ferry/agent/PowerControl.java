package io.ferry.agent;

import io.ferry.hypervisor.DomainState;
import io.ferry.hypervisor.Libvirt;
import io.ferry.protocol.ErrorInfo;
import io.ferry.protocol.PowerAssignment;
import io.ferry.protocol.PowerReport;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Clean shutdowns the vault asks for (planned failover): the ACPI power button, then a wait of
 * up to the assignment's timeout. A guest that does not power off is reported TIMED_OUT and left
 * running: nothing is forced. A domain already shut off is reported SHUT_OFF at once; one that
 * runs again while the assignment stands is reported RESTARTED.
 */
final class PowerControl implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(PowerControl.class.getName());

    private final Libvirt libvirt;
    private final Map<String, PowerReport> reports = new ConcurrentHashMap<>();
    private final Map<String, Thread> running = new ConcurrentHashMap<>();

    PowerControl(Libvirt libvirt) {
        this.libvirt = libvirt;
    }

    synchronized void reconcile(List<PowerAssignment> wanted) {
        Set<String> ids = new HashSet<>();
        for (PowerAssignment a : wanted) {
            ids.add(a.id());
            PowerReport known = reports.get(a.id());
            if (known != null) {
                if (PowerReport.SHUT_OFF.equals(known.state()) && !running.containsKey(a.id())) checkStillOff(a, known);
                continue;
            }
            reports.put(a.id(), new PowerReport(a.id(), PowerReport.SHUTTING_DOWN, Instant.now(), null));
            running.put(a.id(), Thread.ofVirtual().name("shutdown-" + a.domain()).start(() -> shutDown(a)));
        }
        reports.keySet().removeIf(id -> !ids.contains(id) && !running.containsKey(id));
    }

    /**
     * While the vault still relies on the shutdown (final sync, start of the recovery copy), a
     * domain someone or something started again (host HA, an operator) is reported RESTARTED, once
     * and for good: two copies of the machine must never run.
     */
    private void checkStillOff(PowerAssignment a, PowerReport off) {
        DomainState now;
        try {
            now = libvirt.state(a.domain());
        } catch (RuntimeException gone) {
            return; // undefined: it cannot run
        }
        if (now == DomainState.SHUTOFF) return;
        reports.put(a.id(), new PowerReport(a.id(), PowerReport.RESTARTED, Instant.now(), ErrorInfo.of("SOURCE_RESTARTED",
                a.domain() + " was started again (" + now + ") after Ferry shut it down at " + off.at(),
                "find what started it (host HA, autostart, an operator); shut it down and fail over again")));
        LOG.log(System.Logger.Level.WARNING, "{0} runs again ({1}) after its shutdown for a failover at {2}", a.domain(), now, off.at());
    }

    List<PowerReport> reports() {
        return new ArrayList<>(reports.values());
    }

    private void shutDown(PowerAssignment a) {
        try {
            if (libvirt.state(a.domain()) == DomainState.SHUTOFF) {
                reports.put(a.id(), new PowerReport(a.id(), PowerReport.SHUT_OFF, Instant.now(), null));
                return;
            }
            LOG.log(System.Logger.Level.INFO, "shutting {0} down (ACPI), waiting up to {1} s", a.domain(), a.timeoutSeconds());
            boolean off = libvirt.shutdownAndWait(a.domain(), Duration.ofSeconds(a.timeoutSeconds()));
            if (off) {
                reports.put(a.id(), new PowerReport(a.id(), PowerReport.SHUT_OFF, Instant.now(), null));
                LOG.log(System.Logger.Level.INFO, "{0} is shut off", a.domain());
            } else {
                reports.put(a.id(), new PowerReport(a.id(), PowerReport.TIMED_OUT, Instant.now(), ErrorInfo.of("SHUTDOWN_TIMED_OUT",
                        a.domain() + " did not power off within " + a.timeoutSeconds() + " s of the ACPI shutdown request"
                                + " (its guest ignores it or is busy); it is left running",
                        "shut the guest down from inside, or give it a longer shutdown timeout")));
                LOG.log(System.Logger.Level.WARNING, "{0} did not shut down within {1} s", a.domain(), a.timeoutSeconds());
            }
        } catch (RuntimeException e) {
            reports.put(a.id(), new PowerReport(a.id(), PowerReport.ERROR, Instant.now(), ErrorInfo.of("SHUTDOWN_FAILED",
                    "cannot shut " + a.domain() + " down: " + e.getMessage(), "check the domain with `virsh domstate " + a.domain() + "`")));
        } finally {
            running.remove(a.id());
        }
    }

    @Override
    public void close() {
        running.values().forEach(Thread::interrupt);
    }
}
