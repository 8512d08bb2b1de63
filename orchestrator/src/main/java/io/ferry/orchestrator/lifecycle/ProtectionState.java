package io.ferry.orchestrator.lifecycle;

/** Replication and failover state of a protected machine (DESIGN.md §5). */
public enum ProtectionState {
    UNPROTECTED, ENABLING, INITIAL_REPLICATION, PROTECTED, RESYNC_REQUIRED, RESYNCING,
    FAILING_OVER, FAILED_OVER, COMMITTED, REPROTECTING
}
