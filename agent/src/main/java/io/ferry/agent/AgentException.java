package io.ferry.agent;

/** A failure of the agent that the operator must act on; the message names what and the hint says how. */
public class AgentException extends RuntimeException {
    private final String hint;

    public AgentException(String message, String hint) {
        super(message + (hint == null ? "" : "; hint: " + hint));
        this.hint = hint;
    }

    public AgentException(String message, String hint, Throwable cause) {
        super(message + (hint == null ? "" : "; hint: " + hint), cause);
        this.hint = hint;
    }

    public String hint() {
        return hint;
    }
}
