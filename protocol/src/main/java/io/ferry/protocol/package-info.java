/**
 * The messages an agent and the vault exchange (docs/architecture.md, "Agent protocol"): plain
 * records serialized as JSON. The agent calls the vault (it connects out; protected hosts need no
 * inbound management port): it registers once, then sends a {@link io.ferry.protocol.Heartbeat}
 * every few seconds carrying its inventory and its reports, and receives in the
 * {@link io.ferry.protocol.HeartbeatResponse} the desired state of its work (assignments), which
 * it reconciles. Desired state, not commands: a lost message or a restart on either side is
 * repaired by the next heartbeat.
 *
 * <p>Depends on the JDK only (Jackson serializes the records by their components).
 */
package io.ferry.protocol;
