package io.ferry.transport.blobs;

import java.io.IOException;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * How {@link RetryingBlobStore} retries: at most {@code maxAttempts} attempts per call, waiting
 * {@code firstBackoff}, then twice as long each time up to {@code maxBackoff} (each wait randomised
 * to 50-100 % so many threads do not retry in step), and only for failures {@code retryable}
 * accepts.
 */
public record RetryPolicy(int maxAttempts, Duration firstBackoff, Duration maxBackoff, Predicate<IOException> retryable) {
  public RetryPolicy {
    if (maxAttempts < 1) throw new IllegalArgumentException("maxAttempts must be at least 1, got " + maxAttempts);
    Objects.requireNonNull(firstBackoff, "firstBackoff");
    Objects.requireNonNull(maxBackoff, "maxBackoff");
    Objects.requireNonNull(retryable, "retryable");
    if (firstBackoff.isNegative() || maxBackoff.compareTo(firstBackoff) < 0) throw new IllegalArgumentException("backoffs must satisfy 0 <= first <= max");
  }

  /** 5 attempts, 200 ms doubling to 5 s (about 3 s of waiting in all), retrying {@link PeerUnavailableException}s. */
  public static RetryPolicy defaults() {
    return new RetryPolicy(5, Duration.ofMillis(200), Duration.ofSeconds(5), PeerUnavailableException.class::isInstance);
  }

  public RetryPolicy withMaxAttempts(int n) {
    return new RetryPolicy(n, firstBackoff, maxBackoff, retryable);
  }

  public RetryPolicy withBackoff(Duration first, Duration max) {
    return new RetryPolicy(maxAttempts, first, max, retryable);
  }

  /** The wait before attempt {@code attempt + 1} (attempt counts from 1), before randomisation. */
  Duration backoff(int attempt) {
    long first = firstBackoff.toNanos();
    long d = attempt >= 62 ? Long.MAX_VALUE : first << Math.min(attempt - 1, 30);
    if (d < 0 || d > maxBackoff.toNanos()) d = maxBackoff.toNanos();
    return Duration.ofNanos(d);
  }
}
