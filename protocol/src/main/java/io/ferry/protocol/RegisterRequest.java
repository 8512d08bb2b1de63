package io.ferry.protocol;

/** An agent's one-time registration: the key an admin created for a site, and a CSR for its client certificate. */
public record RegisterRequest(String key, String hostname, String csr, String agentVersion) {}
