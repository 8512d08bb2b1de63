/**
 * The orchestrator: what a protected machine is allowed to do next, and (from issue 3 on) the
 * persisted jobs that move it there. Depends on the JDK only for now; jobs will depend on the
 * data path, never the other way round.
 */
package io.ferry.orchestrator;
