/**
 * Lifecycle of a protected machine as explicit transition tables (docs/operations.md,
 * "Protected-machine lifecycle"): {@link io.ferry.orchestrator.lifecycle.ProtectionState}
 * for replication and failover, {@link io.ferry.orchestrator.lifecycle.TestFailoverState}
 * for drills, and {@link io.ferry.orchestrator.lifecycle.MachineLifecycle} for the rules
 * that join the two. Pure values: no I/O; depends on the JDK only.
 */
package io.ferry.orchestrator.lifecycle;
