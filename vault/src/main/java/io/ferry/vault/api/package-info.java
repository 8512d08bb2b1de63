/**
 * The HTTPS API under {@code /api/v1}, described by {@code openapi.yaml} (served at
 * {@code /api/v1/openapi.yaml}), plus {@code /metrics}. Every route declares the role it needs;
 * {@link io.ferry.vault.api.Routes} authenticates (bearer token, or the agent's client
 * certificate on agent routes), checks the role, runs the handler, maps errors to
 * {@code {code, message, hint}} and writes every non-GET call to the audit log. Handlers are
 * thin: they validate input and call the store, the jobs and the agent gateway. Depends on
 * Javalin/Jetty, Jackson and the vault's other packages.
 */
package io.ferry.vault.api;
