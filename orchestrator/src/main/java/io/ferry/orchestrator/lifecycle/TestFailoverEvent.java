package io.ferry.orchestrator.lifecycle;

/** What happens to a test failover. */
public enum TestFailoverEvent { START, STARTED, FAILED, CLEANUP, CLEANED_UP }
