package io.ferry.vault.jobs;

import io.ferry.vault.store.JobError;
import io.ferry.vault.store.JobProgress;

/** What a step looked like on this tick. */
public sealed interface StepOutcome {
    record Wait(String message, JobProgress progress) implements StepOutcome {}

    record Done(String message) implements StepOutcome {}

    record Skipped(String message) implements StepOutcome {}

    record Failed(JobError error) implements StepOutcome {}

    static StepOutcome waiting(String message) {
        return new Wait(message, null);
    }

    static StepOutcome done(String message) {
        return new Done(message);
    }

    static StepOutcome skipped(String message) {
        return new Skipped(message);
    }

    static StepOutcome failed(String code, String message, String hint) {
        return new Failed(new JobError(code, message, hint));
    }
}
