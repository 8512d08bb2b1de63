package io.ferry.orchestrator.lifecycle;

import java.util.Set;

/** An operation asked of a machine in a state that does not allow it; nothing was changed. */
public final class IllegalTransitionException extends IllegalStateException {
    private final String machine;
    private final String state;
    private final String event;

    public IllegalTransitionException(String machine, String state, String event, Set<?> allowed, String why) {
        super("machine '" + machine + "' is " + state + ": " + event + " is not allowed"
                + (why == null ? "" : " (" + why + ")") + "; nothing was changed; hint: allowed now: "
                + (allowed.isEmpty() ? "nothing until the running job ends" : allowed));
        this.machine = machine;
        this.state = state;
        this.event = event;
    }

    public String machine() { return machine; }

    public String state() { return state; }

    public String event() { return event; }
}
