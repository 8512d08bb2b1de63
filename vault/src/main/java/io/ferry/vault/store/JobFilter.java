package io.ferry.vault.store;

/**
 * Which jobs to list, newest first. Null fields do not filter. {@code afterId} is the id of the
 * last job of the previous page (cursor); {@code limit} is the page size (at least 1).
 */
public record JobFilter(String state, String type, String targetId, int limit, String afterId) {

  public JobFilter {
    if (limit < 1) {
      throw new IllegalArgumentException("job list limit must be at least 1, was " + limit);
    }
  }

  /** The first page of all jobs. */
  public static JobFilter all(int limit) {
    return new JobFilter(null, null, null, limit, null);
  }

  /** The same filter, the page after the job {@code lastId}. */
  public JobFilter after(String lastId) {
    return new JobFilter(state, type, targetId, limit, lastId);
  }
}
