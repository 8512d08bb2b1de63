package io.ferry.orchestrator.lifecycle;

import java.util.EnumSet;
import java.util.Set;

import static io.ferry.orchestrator.lifecycle.ProtectionEvent.*;
import static io.ferry.orchestrator.lifecycle.ProtectionState.*;

/**
 * Where a protected machine is in its lifecycle: its replication state and its test-failover
 * state, and the rules of both (docs/operations.md, "Protected-machine lifecycle"). Immutable:
 * {@code apply} returns the next lifecycle or throws {@link IllegalTransitionException}.
 */
public record MachineLifecycle(String machine, ProtectionState protection, TestFailoverState test) {
    /** Replication and failover. */
    public static final TransitionTable<ProtectionState, ProtectionEvent> PROTECTION =
            TransitionTable.builder(ProtectionState.class, ProtectionEvent.class)
                    .on(UNPROTECTED, ENABLE, ENABLING)
                    .on(ENABLING, ENABLED, INITIAL_REPLICATION)
                    .on(ENABLING, FAILED, UNPROTECTED)
                    .on(INITIAL_REPLICATION, INITIAL_REPLICATION_DONE, PROTECTED)
                    .on(INITIAL_REPLICATION, CHANGE_TRACKING_LOST, RESYNC_REQUIRED)
                    .on(PROTECTED, CHANGE_TRACKING_LOST, RESYNC_REQUIRED)
                    .on(RESYNC_REQUIRED, RESYNC, RESYNCING)
                    .on(RESYNCING, RESYNC_DONE, PROTECTED)
                    .on(RESYNCING, CHANGE_TRACKING_LOST, RESYNC_REQUIRED)
                    .on(PROTECTED, FAILOVER, FAILING_OVER)
                    .on(RESYNC_REQUIRED, FAILOVER, FAILING_OVER)
                    .on(FAILING_OVER, FAILOVER_DONE, FAILED_OVER)
                    .on(FAILING_OVER, FAILED, PROTECTED)
                    .on(FAILED_OVER, CHANGE_POINT, FAILED_OVER)
                    .on(FAILED_OVER, COMMIT, COMMITTED)
                    .on(COMMITTED, REPROTECT, REPROTECTING)
                    .on(REPROTECTING, REPROTECT_DONE, PROTECTED)
                    .on(REPROTECTING, FAILED, COMMITTED)
                    .on(INITIAL_REPLICATION, DISABLE, UNPROTECTED)
                    .on(PROTECTED, DISABLE, UNPROTECTED)
                    .on(RESYNC_REQUIRED, DISABLE, UNPROTECTED)
                    .on(RESYNCING, DISABLE, UNPROTECTED)
                    .on(COMMITTED, DISABLE, UNPROTECTED)
                    .build();

    /** Drills. */
    public static final TransitionTable<TestFailoverState, TestFailoverEvent> TEST_FAILOVER =
            TransitionTable.builder(TestFailoverState.class, TestFailoverEvent.class)
                    .on(TestFailoverState.NONE, TestFailoverEvent.START, TestFailoverState.STARTING)
                    .on(TestFailoverState.STARTING, TestFailoverEvent.STARTED, TestFailoverState.RUNNING)
                    .on(TestFailoverState.STARTING, TestFailoverEvent.FAILED, TestFailoverState.CLEANING_UP)
                    .on(TestFailoverState.RUNNING, TestFailoverEvent.CLEANUP, TestFailoverState.CLEANING_UP)
                    .on(TestFailoverState.CLEANING_UP, TestFailoverEvent.CLEANED_UP, TestFailoverState.NONE)
                    .build();

    /** Replication states in which the recovery site holds points a drill can start from. */
    static final Set<ProtectionState> DRILLABLE = EnumSet.of(PROTECTED, RESYNC_REQUIRED, RESYNCING);

    public MachineLifecycle {
        if (machine == null || protection == null || test == null) {
            throw new IllegalArgumentException("machine, protection and test state are required");
        }
    }

    /** A machine Ferry has just discovered. */
    public static MachineLifecycle unprotected(String machine) {
        return new MachineLifecycle(machine, UNPROTECTED, TestFailoverState.NONE);
    }

    public MachineLifecycle apply(ProtectionEvent event) {
        if ((event == FAILOVER || event == DISABLE) && test != TestFailoverState.NONE) {
            throw new IllegalTransitionException(machine, describe(), event.name(), allowedProtectionEvents(),
                    "a test failover is " + test + "; clean it up first");
        }
        ProtectionState next = PROTECTION.next(protection, event).orElseThrow(() ->
                new IllegalTransitionException(machine, describe(), event.name(), allowedProtectionEvents(), null));
        if (!DRILLABLE.contains(next) && test != TestFailoverState.NONE) {
            // a drill outlives no state it could not have started in: it must be cleaned up, not lost
            throw new IllegalTransitionException(machine, describe(), event.name(), allowedProtectionEvents(),
                    "a test failover is " + test + " and would be left without its points");
        }
        return new MachineLifecycle(machine, next, test);
    }

    public MachineLifecycle apply(TestFailoverEvent event) {
        if (event == TestFailoverEvent.START && !DRILLABLE.contains(protection)) {
            throw new IllegalTransitionException(machine, describe(), "TEST_FAILOVER " + event,
                    Set.of(), "a test failover needs recovery points: the machine must be PROTECTED,"
                    + " RESYNC_REQUIRED or RESYNCING");
        }
        TestFailoverState next = TEST_FAILOVER.next(test, event).orElseThrow(() ->
                new IllegalTransitionException(machine, describe(), "TEST_FAILOVER " + event,
                        TEST_FAILOVER.allowed(test), null));
        return new MachineLifecycle(machine, protection, next);
    }

    /** Replication events allowed now, taking the drill into account. */
    public Set<ProtectionEvent> allowedProtectionEvents() {
        Set<ProtectionEvent> out = EnumSet.noneOf(ProtectionEvent.class);
        for (ProtectionEvent e : PROTECTION.allowed(protection)) {
            if (test == TestFailoverState.NONE
                    || (e != FAILOVER && e != DISABLE && DRILLABLE.contains(PROTECTION.next(protection, e).orElseThrow()))) {
                out.add(e);
            }
        }
        return out;
    }

    private String describe() {
        return protection + (test == TestFailoverState.NONE ? "" : " with a test failover " + test);
    }
}
