/**
 * The vault: Ferry's control plane. {@link io.ferry.vault.Vault} wires the parts: the database
 * ({@code store}), the HTTPS API ({@code api}), users, tokens and the audit log ({@code auth}),
 * agent registration and heartbeats ({@code agents}), the persisted jobs that move protected
 * machines through their lifecycle ({@code jobs}) and the monitor that computes RPO and health,
 * raises alerts and applies retention ({@code monitor}).
 *
 * <p>May depend on the orchestrator (lifecycle tables), the protocol, the transport (CA, TLS) and
 * its own sub-packages; never on the agent or the data path.
 */
package io.ferry.vault;
