package io.ferry.vault.store;

import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * A persisted long operation. {@code targetId} is what it acts on (a protected machine, a plan...);
 * at most one job per target is active ({@link #ACTIVE_STATES}). {@code steps}, {@code progress}
 * and {@code error} are stored as JSON; {@code params} is JSON text chosen by the job type. On
 * create, a null {@code id} is generated, null {@code createdAt}/{@code updatedAt} are now and a
 * null {@code steps} is empty; on update, {@code updatedAt} is set by the store.
 */
public record Job(
    String id,
    String type,
    String targetId,
    String state,
    String step,
    List<JobStep> steps,
    JobProgress progress,
    String params,
    JobError error,
    String requestedBy,
    Instant createdAt,
    Instant startedAt,
    Instant endedAt,
    Instant updatedAt) {

  public static final String QUEUED = "QUEUED";
  public static final String RUNNING = "RUNNING";
  public static final String SUCCEEDED = "SUCCEEDED";
  public static final String FAILED = "FAILED";
  public static final String CANCELLING = "CANCELLING";
  public static final String CANCELLED = "CANCELLED";

  /** States of a job that is not over: what a restarted vault resumes. */
  public static final Set<String> ACTIVE_STATES = Set.of(QUEUED, RUNNING, CANCELLING);

  public Job {
    steps = steps == null ? List.of() : List.copyOf(steps);
  }

  public boolean active() {
    return ACTIVE_STATES.contains(state);
  }

  public Job withState(String newState) {
    return new Job(id, type, targetId, newState, step, steps, progress, params, error, requestedBy, createdAt, startedAt, endedAt, updatedAt);
  }
}
