package io.ferry.vault.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.statement.Query;
import org.jdbi.v3.core.statement.Update;

/**
 * {@code jobs}: persisted long operations. The partial unique index {@code jobs_one_active_per_target}
 * keeps one QUEUED/RUNNING/CANCELLING job per target, whatever the callers race.
 */
final class JobTable {
  private static final String ACTIVE = "state IN ('" + Job.QUEUED + "', '" + Job.RUNNING + "', '" + Job.CANCELLING + "')";

  private final Db db;
  private final RowMapper<Job> mapper;

  JobTable(Db db) {
    this.db = db;
    this.mapper = (rs, ctx) -> {
      String id = rs.getString("id");
      return new Job(id, rs.getString("type"), rs.getString("target_id"), rs.getString("state"), rs.getString("step"),
          db.json.readSteps(rs.getString("steps"), "steps of job " + id),
          db.json.read(rs.getString("progress"), JobProgress.class, "progress of job " + id),
          rs.getString("params"),
          db.json.read(rs.getString("error"), JobError.class, "error of job " + id),
          rs.getString("requested_by"), Rows.instant(rs, "created_at"), Rows.instant(rs, "started_at"),
          Rows.instant(rs, "ended_at"), Rows.instant(rs, "updated_at"));
    };
  }

  Job create(Job given) {
    Instant now = db.now();
    Job job = new Job(Ids.orNew(given.id(), "job"), given.type(), given.targetId(), given.state() == null ? Job.QUEUED : given.state(),
        given.step(), given.steps(), given.progress(), db.json.checked(given.params() == null ? "{}" : given.params(), "params of a " + given.type() + " job"),
        given.error(), given.requestedBy(), given.createdAt() == null ? now : Rows.stored(given.createdAt()),
        Rows.stored(given.startedAt()), Rows.stored(given.endedAt()), given.updatedAt() == null ? now : Rows.stored(given.updatedAt()));
    String operation = "create a " + job.type() + " job" + (job.targetId() == null ? "" : " for " + job.targetId());
    if (job.active() && job.targetId() != null) {
      activeFor(job.targetId()).ifPresent(active -> {
        throw busy(operation, active);
      });
    }
    db.guarded(() -> bind(db.h.createUpdate("""
            INSERT INTO jobs (id, type, target_id, state, step, steps, progress, params, error, requested_by,
              created_at, started_at, ended_at, updated_at)
            VALUES (:id, :type, :target_id, :state, :step, :steps, :progress, :params, :error, :requested_by,
              :created_at, :started_at, :ended_at, :updated_at)"""), job)
        .bind("created_at", Rows.millis(job.createdAt()))
        .execute(), v -> conflict(v, job, operation));
    return job;
  }

  /** Whole-row update by id (all but {@code createdAt}); {@code updatedAt} becomes now. */
  Job update(Job given) {
    String operation = "update job " + given.id();
    Job before = byId(given.id()).orElseThrow(() -> new NotFoundException("job", given.id(), operation));
    Job job = new Job(given.id(), given.type(), given.targetId(), given.state(), given.step(), given.steps(), given.progress(),
        db.json.checked(given.params() == null ? "{}" : given.params(), "params of job " + given.id()), given.error(),
        given.requestedBy(), before.createdAt(), Rows.stored(given.startedAt()), Rows.stored(given.endedAt()), db.now());
    db.guarded(() -> bind(db.h.createUpdate("""
            UPDATE jobs SET type = :type, target_id = :target_id, state = :state, step = :step, steps = :steps,
              progress = :progress, params = :params, error = :error, requested_by = :requested_by,
              started_at = :started_at, ended_at = :ended_at, updated_at = :updated_at
            WHERE id = :id"""), job).execute(), v -> conflict(v, job, operation));
    return job;
  }

  private Update bind(Update update, Job job) {
    return update.bind("id", job.id())
        .bind("type", job.type())
        .bind("target_id", job.targetId())
        .bind("state", job.state())
        .bind("step", job.step())
        .bind("steps", db.json.write(job.steps()))
        .bind("progress", db.json.write(job.progress()))
        .bind("params", job.params())
        .bind("error", db.json.write(job.error()))
        .bind("requested_by", job.requestedBy())
        .bind("started_at", Rows.millis(job.startedAt()))
        .bind("ended_at", Rows.millis(job.endedAt()))
        .bind("updated_at", Rows.millis(job.updatedAt()));
  }

  private StoreException conflict(Violation v, Job job, String operation) {
    if (v.kind() != Violation.Kind.UNIQUE) {
      return v.toException(operation);
    }
    if (job.targetId() != null) {
      Optional<Job> active = activeFor(job.targetId()).filter(other -> !other.id().equals(job.id()));
      if (active.isPresent()) {
        return busy(operation, active.get());
      }
    }
    return new ConflictException("cannot " + operation + ": job id " + job.id() + " is taken", "let the store choose the id", job.id());
  }

  private static ConflictException busy(String operation, Job active) {
    return new ConflictException("cannot " + operation + ": job " + active.id() + " (" + active.type() + ", " + active.state()
        + ") is already active for " + active.targetId(),
        "one job at a time per target: wait for job " + active.id() + " to end, or cancel it", active.id());
  }

  Optional<Job> byId(String id) {
    return db.h.createQuery("SELECT * FROM jobs WHERE id = :id").bind("id", id).map(mapper).findOne();
  }

  /** Newest first, filtered, one page after the cursor. */
  List<Job> list(JobFilter filter) {
    StringBuilder sql = new StringBuilder("SELECT * FROM jobs WHERE 1 = 1");
    if (filter.state() != null) {
      sql.append(" AND state = :state");
    }
    if (filter.type() != null) {
      sql.append(" AND type = :type");
    }
    if (filter.targetId() != null) {
      sql.append(" AND target_id = :target_id");
    }
    Instant cursorAt = null;
    if (filter.afterId() != null) {
      cursorAt = byId(filter.afterId())
          .orElseThrow(() -> new NotFoundException("job", filter.afterId(), "list the jobs after job " + filter.afterId()))
          .createdAt();
      sql.append(" AND (created_at < :cursor_at OR (created_at = :cursor_at AND id < :cursor_id))");
    }
    sql.append(" ORDER BY created_at DESC, id DESC LIMIT :limit");
    Query query = db.h.createQuery(sql.toString()).bind("limit", filter.limit());
    if (filter.state() != null) {
      query.bind("state", filter.state());
    }
    if (filter.type() != null) {
      query.bind("type", filter.type());
    }
    if (filter.targetId() != null) {
      query.bind("target_id", filter.targetId());
    }
    if (cursorAt != null) {
      query.bind("cursor_at", Rows.millis(cursorAt)).bind("cursor_id", filter.afterId());
    }
    return query.map(mapper).list();
  }

  /** Oldest first: the order a restarted vault resumes them in. */
  List<Job> active() {
    return db.h.createQuery("SELECT * FROM jobs WHERE " + ACTIVE + " ORDER BY created_at, id").map(mapper).list();
  }

  Optional<Job> activeFor(String targetId) {
    return db.h.createQuery("SELECT * FROM jobs WHERE target_id = :target_id AND " + ACTIVE)
        .bind("target_id", targetId).map(mapper).findOne();
  }
}
