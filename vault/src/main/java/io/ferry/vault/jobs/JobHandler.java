package io.ferry.vault.jobs;

import io.ferry.vault.store.Job;

/** The steps of one job type. Each call re-checks reality; calling it twice is harmless. */
public interface JobHandler {
    StepOutcome advance(Job job, String step);

    /** Whether the job can be cancelled at {@code step}. */
    default boolean cancellable(Job job, String step) {
        return false;
    }

    /** Undo what must be undone and leave the target in a named state; returns a message for the job. */
    default String cancel(Job job) {
        return "cancelled";
    }

    /** Called once the job is saved CANCELLED (e.g. to start a follow-up job on the same target). */
    default void afterCancelled(Job job) {}

    /** Called once the job is saved FAILED (e.g. to start a cleanup of what it made). */
    default void afterFailed(Job job) {}
}
