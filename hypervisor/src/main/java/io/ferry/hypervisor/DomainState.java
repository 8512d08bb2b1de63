package io.ferry.hypervisor;

/** A domain's state as {@code virsh domstate} reports it. */
public enum DomainState {
    RUNNING, PAUSED, SHUTOFF, SHUTDOWN, CRASHED, PMSUSPENDED, BLOCKED, OTHER;

    static DomainState parse(String virshState) {
        return switch (virshState.strip().toLowerCase(java.util.Locale.ROOT)) {
            case "running" -> RUNNING;
            case "paused" -> PAUSED;
            case "shut off" -> SHUTOFF;
            case "in shutdown" -> SHUTDOWN;
            case "crashed" -> CRASHED;
            case "pmsuspended" -> PMSUSPENDED;
            case "idle", "blocked" -> BLOCKED;
            default -> OTHER;
        };
    }

    /** True if a QEMU process exists for the domain (running or paused). */
    public boolean active() {
        return this == RUNNING || this == PAUSED || this == BLOCKED || this == SHUTDOWN || this == PMSUSPENDED;
    }
}
