package io.ferry.orchestrator.jobs;

import java.util.List;

/** A kind of job and its steps, in order. */
public enum JobType {
    /** Enable protection: the recovery agent prepares the repository, the source agent sends a full copy. */
    ENABLE_PROTECTION(List.of(Steps.PREPARE_REPOSITORY, Steps.INITIAL_REPLICATION)),
    /** Resynchronise by digests after change tracking was lost. */
    RESYNC(List.of(Steps.RESYNC)),
    /** Disable protection: stop replication, remove checkpoints, optionally delete the points. */
    DISABLE_PROTECTION(List.of(Steps.STOP_REPLICATION, Steps.REMOVE_CHECKPOINTS, Steps.DELETE_POINTS, Steps.FORGET));

    private final List<String> steps;

    JobType(List<String> steps) {
        this.steps = steps;
    }

    public List<String> steps() {
        return steps;
    }

    /** Step names. */
    public static final class Steps {
        public static final String PREPARE_REPOSITORY = "prepare-repository";
        public static final String INITIAL_REPLICATION = "initial-replication";
        public static final String RESYNC = "resync";
        public static final String STOP_REPLICATION = "stop-replication";
        public static final String REMOVE_CHECKPOINTS = "remove-checkpoints";
        public static final String DELETE_POINTS = "delete-points";
        public static final String FORGET = "forget";

        private Steps() {}
    }
}
