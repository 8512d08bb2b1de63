package io.ferry.transport.blobs;

import io.ferry.repository.BlobInfo;
import io.ferry.repository.BlobStore;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;

/**
 * Retries transient failures of another {@link BlobStore}: behaviour added by wrapping. Every
 * operation is retried, as every one is idempotent: blobs are immutable (a put of a key stores the
 * same bytes again), delete of an absent key and sync are no-ops. A listing is retried until it
 * starts; a failure in the middle of iterating is the caller's. When the attempts are used up, the
 * last failure is thrown with the earlier ones attached as suppressed exceptions.
 */
public final class RetryingBlobStore implements BlobStore {
  private static final System.Logger LOG = System.getLogger(RetryingBlobStore.class.getName());

  private final BlobStore inner;
  private final RetryPolicy policy;
  private final LongAdder retries = new LongAdder();
  private final LongAdder failures = new LongAdder();

  public RetryingBlobStore(BlobStore inner) {
    this(inner, RetryPolicy.defaults());
  }

  public RetryingBlobStore(BlobStore inner, RetryPolicy policy) {
    this.inner = java.util.Objects.requireNonNull(inner, "inner");
    this.policy = java.util.Objects.requireNonNull(policy, "policy");
  }

  @FunctionalInterface
  private interface Call<T> {
    T run() throws IOException;
  }

  private <T> T retry(String op, String key, Call<T> call) throws IOException {
    IOException first = null;
    for (int attempt = 1;; attempt++) {
      try {
        return call.run();
      } catch (IOException e) {
        if (!policy.retryable().test(e) || attempt >= policy.maxAttempts()) {
          if (first != null && first != e) e.addSuppressed(first);
          if (policy.retryable().test(e)) failures.increment();
          throw e;
        }
        if (first == null) first = e;
        long base = policy.backoff(attempt).toNanos();
        long wait = base / 2 + ThreadLocalRandom.current().nextLong(base / 2 + 1);
        retries.increment();
        int n = attempt;
        LOG.log(System.Logger.Level.DEBUG, () -> op + (key == null ? "" : " " + key) + " on " + inner.location() + " failed (attempt " + n + " of " + policy.maxAttempts()
            + "), retrying in " + TimeUnit.NANOSECONDS.toMillis(wait) + " ms: " + e.getMessage());
        try {
          TimeUnit.NANOSECONDS.sleep(wait);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          InterruptedIOException x = new InterruptedIOException("interrupted while retrying " + op + (key == null ? "" : " " + key) + " on " + inner.location());
          x.initCause(e);
          throw x;
        }
      }
    }
  }

  @Override
  public void put(String key, byte[] data) throws IOException {
    retry("put", key, () -> {
      inner.put(key, data);
      return null;
    });
  }

  @Override
  public byte[] get(String key) throws IOException {
    return retry("get", key, () -> inner.get(key));
  }

  @Override
  public boolean exists(String key) throws IOException {
    return retry("check", key, () -> inner.exists(key));
  }

  @Override
  public void delete(String key) throws IOException {
    retry("delete", key, () -> {
      inner.delete(key);
      return null;
    });
  }

  @Override
  public Stream<BlobInfo> list(String prefix) throws IOException {
    return retry("list", prefix, () -> inner.list(prefix));
  }

  @Override
  public void sync() throws IOException {
    retry("sync", null, () -> {
      inner.sync();
      return null;
    });
  }

  @Override
  public String location() {
    return inner.location();
  }

  @Override
  public Stream<BlobInfo> temporaries() throws IOException {
    return inner.temporaries();
  }

  @Override
  public void deleteTemporary(String key) throws IOException {
    inner.deleteTemporary(key);
  }

  /** Calls that failed once and were tried again (one per retry). */
  public long retries() {
    return retries.sum();
  }

  /** Calls that still failed with a retryable error after every attempt. */
  public long failures() {
    return failures.sum();
  }

  public BlobStore inner() {
    return inner;
  }

  @Override
  public void close() throws IOException {
    inner.close();
  }

  @Override
  public String toString() {
    return "RetryingBlobStore[" + inner + ", " + policy.maxAttempts() + " attempts]";
  }
}
