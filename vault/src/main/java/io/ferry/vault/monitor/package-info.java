/**
 * The vault's watchman: every few seconds it computes each protected machine's RPO (now minus
 * the time of its latest committed point) and health against its policy, raises and clears
 * alerts (RPO breached, agent silent, replication failing, resync required), starts a resync
 * job when change tracking was lost, and marks points outside the retention window for
 * deletion (the recovery agent deletes them). Depends on the store, the jobs and the agents'
 * reports.
 */
package io.ferry.vault.monitor;
