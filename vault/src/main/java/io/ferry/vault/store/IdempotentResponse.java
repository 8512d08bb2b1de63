package io.ferry.vault.store;

import java.time.Instant;

/**
 * The response given to the first request with an idempotency key, replayed to retries of the
 * same request by the same actor. {@code requestHash} lets the API refuse a retry whose body
 * differs.
 */
public record IdempotentResponse(
    String key, String actor, String requestHash, int status, String responseBody, Instant createdAt) {}
