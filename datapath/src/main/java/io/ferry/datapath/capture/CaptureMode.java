package io.ferry.datapath.capture;

/** How a capture cycle decides which chunks to read. */
public enum CaptureMode {
    /** First point of a machine: every allocated, non-zero chunk is read. */
    FULL,
    /** Only chunks the checkpoint's dirty bitmap marks are read; the rest comes from the parent point. */
    INCREMENTAL,
    /**
     * Change tracking was lost: every allocated chunk is read and compared by digest with the
     * parent point; only differing chunks are stored.
     */
    RESYNC
}
