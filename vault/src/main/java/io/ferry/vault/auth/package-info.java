/**
 * Who is calling and what they may do: users with roles (ADMIN, OPERATOR, VIEWER), bearer tokens
 * (stored as SHA-256 hashes only), agent identities (certificate common names), and the audit
 * log of every operation. Depends on the store; knows nothing of HTTP.
 */
package io.ferry.vault.auth;
