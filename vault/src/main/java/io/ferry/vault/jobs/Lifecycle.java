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
        return of(pm, machineName).apply(event).protection();
    }

    /** The test-failover state {@code event} leads to, or {@link IllegalTransitionException}. */
    public static TestFailoverState next(ProtectedMachine pm, String machineName, io.ferry.orchestrator.lifecycle.TestFailoverEvent event) {
        return of(pm, machineName).apply(event).test();
    }

    private static MachineLifecycle of(ProtectedMachine pm, String machineName) {
        return new MachineLifecycle(machineName, ProtectionState.valueOf(pm.state()),
                pm.testState() == null ? TestFailoverState.NONE : TestFailoverState.valueOf(pm.testState()));
    }

    /** Applies a test-failover event; false if someone else changed the machine meanwhile. */
    public boolean apply(ProtectedMachine pm, String machineName, io.ferry.orchestrator.lifecycle.TestFailoverEvent event) {
        TestFailoverState next = next(pm, machineName, event);
        if (next.name().equals(pm.testState())) return true;
        return store.updateTestState(pm.id(), pm.version(), next.name());
    }

    /**
     * A way back (failed or cancelled job): applies {@code event} while the machine is still in
     * {@code from}, re-reading it when someone else (the monitor) changed it meanwhile; a few tries.
     */
    public void applyWhile(String pmId, String machineName, ProtectionState from, ProtectionEvent event) {
        for (int i = 0; i < 5; i++) {
            ProtectedMachine now = store.protectedMachine(pmId).orElse(null);
            if (now == null || !from.name().equals(now.state()) || apply(now, machineName, event)) return;
        }
    }

    /** As {@link #applyWhile(String, String, ProtectionState, ProtectionEvent)} for the test-failover state. */
    public void applyWhile(String pmId, String machineName, TestFailoverState from, io.ferry.orchestrator.lifecycle.TestFailoverEvent event) {
        for (int i = 0; i < 5; i++) {
            ProtectedMachine now = store.protectedMachine(pmId).orElse(null);
            if (now == null || !from.name().equals(now.testState()) || apply(now, machineName, event)) return;
        }
    }

    /** Applies {@code event}; false if someone else changed the machine meanwhile (re-read and retry). */
    public boolean apply(ProtectedMachine pm, String machineName, ProtectionEvent event) {
        ProtectionState next = next(pm, machineName, event);
        if (next.name().equals(pm.state())) return true;
        return store.updateState(pm.id(), pm.version(), next.name(), Instant.now());
    }
}
