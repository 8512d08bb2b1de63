package io.ferry.protocol;

/** The identity the vault gives a newly registered agent. */
public record RegisterResponse(String hostId, String siteId, String certificate, String caCertificate) {}
