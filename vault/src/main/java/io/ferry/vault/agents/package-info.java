/**
 * The vault's side of the agent protocol ({@code io.ferry.protocol}): registration with a
 * one-time key (the vault's CA signs the agent's CSR), heartbeats that bring inventory and
 * reports in ({@link io.ferry.vault.agents.AgentReports} keeps the latest of each agent in
 * memory; points and machines go to the database), and the assignments each agent is sent back,
 * computed from the database every time ({@link io.ferry.vault.agents.Assignments}): desired
 * state, so nothing is lost when either side restarts. Depends on the store, the protocol and
 * the transport's CA; not on HTTP.
 */
package io.ferry.vault.agents;
