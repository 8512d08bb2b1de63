/**
 * Persisted jobs and the engine that advances them. A job is a row (type, target, state, named
 * steps, progress, error); the engine ticks, and for each active job asks its {@link
 * io.ferry.vault.jobs.JobHandler} to look at the world (database, latest agent reports) and say
 * whether the current step is done, must wait, was skipped or failed. Steps never hold state in
 * memory, so a vault restart resumes every job where the database says it is. One active job
 * per protected machine (a unique index). Depends on the store, the agents' reports and the
 * orchestrator's lifecycle tables.
 */
package io.ferry.vault.jobs;
