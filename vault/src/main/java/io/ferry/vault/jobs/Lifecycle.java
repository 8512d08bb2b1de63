package io.ferry.vault.jobs;

import io.ferry.orchestrator.lifecycle.IllegalTransitionException;
import io.ferry.orchestrator.lifecycle.MachineLifecycle;
import io.ferry.orchestrator.lifecycle.ProtectionEvent;
import io.ferry.orchestrator.lifecycle.ProtectionState;
import io.ferry.orchestrator.lifecycle.TestFailoverState;
import io.ferry.vault.store.ProtectedMachine;
import io.ferry.vault.store.VaultStore;

import java.time.Instant;

/** Moves a protected machine through the lifecycle table, with an optimistic update in the database. */
public final class Lifecycle {
    private final VaultStore store;

    public Lifecycle(VaultStore store) {
        this.store = store;
    }

    /** The state {@code event} leads to, or {@link IllegalTransitionException}. */
    public static ProtectionState next(ProtectedMachine pm, String machineName, ProtectionEvent event) {
        return new MachineLifecycle(machineName, ProtectionState.valueOf(pm.state()), TestFailoverState.NONE)
                .apply(event).protection();
    }

    /** Applies {@code event}; false if someone else changed the machine meanwhile (re-read and retry). */
    public boolean apply(ProtectedMachine pm, String machineName, ProtectionEvent event) {
        ProtectionState next = next(pm, machineName, event);
        if (next.name().equals(pm.state())) return true;
        return store.updateState(pm.id(), pm.version(), next.name(), Instant.now());
    }
}
