/**
 * The agent: one per KVM host. It registers once with the vault (a one-time key, a certificate
 * from the vault's CA), then connects out every few seconds with a heartbeat carrying its
 * inventory and reports, and reconciles the assignments it gets back: replicate a machine of
 * this host into a repository on a recovery agent ({@link io.ferry.agent.SourceReplication}),
 * keep repositories for other agents ({@link io.ferry.agent.RecoveryRepositories}, served on the
 * TLS data port), clean up after protection is disabled ({@link io.ferry.agent.Cleanups}).
 *
 * <p>When the vault cannot be reached the agent keeps doing what it was last told: replication
 * does not stop because the control plane is down.
 *
 * <p>Depends on the data path (capture), the repository, the hypervisor, the protocol and the
 * transport (TLS, remote blobs); never on the vault.
 */
package io.ferry.agent;
