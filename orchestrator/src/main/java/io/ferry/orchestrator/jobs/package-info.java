/**
 * The operations that run as persisted jobs, each with its named steps in order (written down in
 * docs/operations.md first). The vault's job engine advances them; the names here are what the
 * API, the CLI and the database show. JDK only.
 */
package io.ferry.orchestrator.jobs;
