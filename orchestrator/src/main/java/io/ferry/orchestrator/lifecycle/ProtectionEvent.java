package io.ferry.orchestrator.lifecycle;

/** What happens to a protected machine: an operator request or the outcome of a job step. */
public enum ProtectionEvent {
    ENABLE, ENABLED, INITIAL_REPLICATION_DONE, CHANGE_TRACKING_LOST, RESYNC, RESYNC_DONE,
    FAILOVER, FAILOVER_DONE, CHANGE_POINT, COMMIT, REPROTECT, REPROTECT_DONE, DISABLE, FAILED
}
