package io.ferry.datapath.capture;

import java.io.IOException;

/**
 * Change tracking of a machine cannot be trusted (checkpoint or bitmap missing or inconsistent,
 * disks changed): an incremental capture would risk silent data loss, so it is refused.
 */
public final class ResyncRequiredException extends IOException {
    private final String machine;
    private final String reason;

    public ResyncRequiredException(String machine, String reason) {
        super("resync required for machine '" + machine + "': " + reason
                + "; hint: run `ferry capture " + machine + " --resync` to compare every chunk with the last"
                + " recovery point and store only what differs");
        this.machine = machine;
        this.reason = reason;
    }

    public String machine() { return machine; }

    public String reason() { return reason; }
}
