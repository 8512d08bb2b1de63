package io.ferry.vault.auth;

/** The authenticated caller: a user (with a role) or an agent (by host id). */
public record Principal(String id, String name, Role role, boolean agent) {
    public static Principal agent(String hostId) {
        return new Principal(hostId, "agent:" + hostId, null, true);
    }

    public String describe() {
        return agent ? name : name + " (" + role + ")";
    }
}
