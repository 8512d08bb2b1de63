package io.ferry.vault.agents;

import io.ferry.vault.store.Machine;
import io.ferry.vault.store.Pairing;
import io.ferry.vault.store.ProtectedMachine;

/**
 * Where a protected machine replicates from and to (docs/operations.md, "Reprotect and
 * failback"): FORWARD from the machine (or the domain that is it now) into the pairing's
 * repository on its recovery host; REVERSE from the recovery-site domain that is the machine now
 * into {@code <repository>-back} on the machine's own host.
 *
 * @param sourceUuid the domain's UUID when known (the machine itself), else null
 */
public record ReplicationRoute(String sourceHostId, String sourceDomain, String sourceUuid, String targetHostId, String repository) {
    public static final String REVERSE_SUFFIX = "-back";

    public static ReplicationRoute of(ProtectedMachine pm, Machine m, Pairing p) {
        boolean itself = pm.activeDomain() == null || (m.hostId().equals(pm.activeHostId()) && m.name().equals(pm.activeDomain()));
        String host = itself ? m.hostId() : pm.activeHostId();
        String domain = itself ? m.name() : pm.activeDomain();
        return pm.reversed()
                ? new ReplicationRoute(host, domain, itself ? m.uuid() : null, m.hostId(), reverseRepository(p))
                : new ReplicationRoute(host, domain, itself ? m.uuid() : null, p.recoveryHostId(), p.repositoryName());
    }

    /** The repository on the primary host that reverse replication of the pairing's machines writes. */
    public static String reverseRepository(Pairing p) {
        return p.repositoryName() + REVERSE_SUFFIX;
    }
}
