package io.ferry.vault.store;

import java.time.Instant;

/** A group of KVM hosts in one location. {@code name} is unique. */
public record Site(String id, String name, String description, Instant createdAt) {}
