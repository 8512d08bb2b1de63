package io.ferry.vault.store;

import java.time.Instant;

/** An API user. {@code role} is {@code ADMIN}, {@code OPERATOR} or {@code VIEWER}; {@code passwordHash} is a {@link Passwords} hash. */
public record User(String id, String name, String role, String passwordHash, Instant createdAt, boolean disabled) {

  public static final String ADMIN = "ADMIN";
  public static final String OPERATOR = "OPERATOR";
  public static final String VIEWER = "VIEWER";
}
