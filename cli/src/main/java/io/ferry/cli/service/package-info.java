/**
 * The long-running commands: {@code ferry vault}, {@code ferry agent} and {@code ferry quickstart}
 * (a vault and two agents on one machine with a demo VM protected). Depends on the vault, the
 * agent, the lab (for the quickstart's demo VM) and the remote client.
 */
package io.ferry.cli.service;
