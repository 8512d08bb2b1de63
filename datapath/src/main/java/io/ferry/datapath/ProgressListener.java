package io.ferry.datapath;

/** Receives progress of a long data-path operation; implementations must be thread-safe. */
@FunctionalInterface
public interface ProgressListener {
    /**
     * @param phase short name of what is going on ("reading vda", "writing vda")
     * @param done units done so far (bytes)
     * @param total units in all, or -1 when unknown
     */
    void progress(String phase, long done, long total);

    ProgressListener NONE = (phase, done, total) -> { };
}
