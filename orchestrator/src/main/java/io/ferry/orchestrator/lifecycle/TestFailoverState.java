package io.ferry.orchestrator.lifecycle;

/** State of a machine's test failover (drill), orthogonal to {@link ProtectionState}. */
public enum TestFailoverState { NONE, STARTING, RUNNING, CLEANING_UP }
