package io.ferry.orchestrator.jobs;

import java.util.List;

/** A kind of job and its steps, in order. */
public enum JobType {
    /** Enable protection: the recovery agent prepares the repository, the source agent sends a full copy. */
    ENABLE_PROTECTION(List.of(Steps.PREPARE_REPOSITORY, Steps.INITIAL_REPLICATION)),
    /** Resynchronise by digests after change tracking was lost. */
    RESYNC(List.of(Steps.RESYNC)),
    /** Disable protection: stop replication, remove checkpoints, optionally delete the points. */
    DISABLE_PROTECTION(List.of(Steps.STOP_REPLICATION, Steps.REMOVE_CHECKPOINTS, Steps.DELETE_POINTS, Steps.FORGET)),
    /** A drill: a copy boots at the recovery site from a point, on an isolated network; replication goes on. */
    TEST_FAILOVER(List.of(Steps.SELECT_POINT, Steps.START_VM)),
    /** Removes everything a drill created. */
    TEST_FAILOVER_CLEANUP(List.of(Steps.REMOVE_VM)),
    /** Shut the source down, final sync, start at the recovery site: no data loss. */
    PLANNED_FAILOVER(List.of(Steps.SHUTDOWN_SOURCE, Steps.FINAL_SYNC, Steps.START_VM)),
    /** Start at the recovery site from a chosen point; the source may be gone. */
    UNPLANNED_FAILOVER(List.of(Steps.SHUTDOWN_SOURCE, Steps.SELECT_POINT, Steps.START_VM)),
    /** Before commit: run the failed-over machine from another point. */
    CHANGE_POINT(List.of(Steps.START_VM)),
    /** Accept the failover: the recovery VM is made independent of the repository and released. */
    COMMIT(List.of(Steps.RELEASE_VM)),
    /** Replicate the machine where it runs now back to the other site: seed there, then only what differs moves. */
    REPROTECT(List.of(Steps.PREPARE_REPOSITORY, Steps.SEED, Steps.INITIAL_REPLICATION)),
    /** A planned failover back to the machine's own host: delta (phase 1, operator, phase 2) or full download. */
    FAILBACK(List.of(Steps.PRE_SYNC, Steps.COMPLETE_FAILOVER, Steps.SHUTDOWN_SOURCE, Steps.FINAL_SYNC, Steps.RESTORE));

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
        public static final String SELECT_POINT = "select-point";
        public static final String START_VM = "start-vm";
        public static final String REMOVE_VM = "remove-vm";
        public static final String SHUTDOWN_SOURCE = "shutdown-source";
        public static final String FINAL_SYNC = "final-sync";
        public static final String RELEASE_VM = "release-vm";
        public static final String SEED = "seed";
        public static final String PRE_SYNC = "pre-sync";
        public static final String COMPLETE_FAILOVER = "complete-failover";
        public static final String RESTORE = "restore";

        private Steps() {}
    }
}
