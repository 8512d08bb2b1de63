package io.ferry.vault.jobs;

import io.ferry.orchestrator.jobs.JobType;
import io.ferry.vault.store.Job;
import io.ferry.vault.store.JobError;
import io.ferry.vault.store.JobStep;
import io.ferry.vault.store.VaultStore;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Advances every active job one look at a time. QUEUED jobs start at their first step; a step
 * that is done or skipped hands over to the next; the last one ends the job SUCCEEDED; a failed
 * step ends it FAILED with the step's error; a CANCELLING job is cancelled by its handler.
 */
public final class JobEngine implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(JobEngine.class.getName());

    private final VaultStore store;
    private final Map<JobType, JobHandler> handlers = new EnumMap<>(JobType.class);
    private final Duration tick;
    private volatile boolean closed;
    private Thread thread;

    public JobEngine(VaultStore store, Duration tick) {
        this.store = store;
        this.tick = tick;
    }

    public JobEngine register(JobType type, JobHandler handler) {
        handlers.put(type, handler);
        return this;
    }

    public JobHandler handler(Job job) {
        return handlers.get(JobType.valueOf(job.type()));
    }

    public JobEngine start() {
        thread = Thread.ofPlatform().name("job-engine").daemon(true).start(() -> {
            while (!closed) {
                tickOnce();
                try {
                    Thread.sleep(tick);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        return this;
    }

    /** One pass over the active jobs (also called by tests). */
    public synchronized void tickOnce() {
        List<Job> active;
        try {
            active = store.activeJobs();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "job engine cannot read jobs: " + e.getMessage());
            return;
        }
        for (Job job : active) {
            try {
                advance(job);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "job " + job.id() + " (" + job.type() + ") at step " + job.step()
                        + ": " + e.getMessage(), e);
            }
        }
    }

    private void advance(Job job) {
        JobHandler h = handler(job);
        Instant now = Instant.now();
        if (Job.QUEUED.equals(job.state())) {
            List<JobStep> steps = new ArrayList<>(job.steps());
            steps.set(0, new JobStep(steps.get(0).name(), "RUNNING", now, null, null));
            job = save(new Job(job.id(), job.type(), job.targetId(), Job.RUNNING, steps.get(0).name(), steps, job.progress(),
                    job.params(), null, job.requestedBy(), job.createdAt(), now, null, now));
        }
        if (Job.CANCELLING.equals(job.state())) {
            String msg = h.cancel(job);
            List<JobStep> steps = new ArrayList<>();
            for (JobStep s : job.steps()) {
                steps.add(switch (s.state()) {
                    case "RUNNING" -> new JobStep(s.name(), "FAILED", s.startedAt(), now, msg);
                    case "PENDING" -> new JobStep(s.name(), "SKIPPED", null, null, "cancelled");
                    default -> s;
                });
            }
            save(new Job(job.id(), job.type(), job.targetId(), Job.CANCELLED, job.step(), steps, job.progress(), job.params(),
                    new JobError("CANCELLED", msg, null), job.requestedBy(), job.createdAt(), job.startedAt(), now, now));
            LOG.log(System.Logger.Level.INFO, "job {0} cancelled: {1}", job.id(), msg);
            h.afterCancelled(job);
            return;
        }
        String step = job.step();
        StepOutcome out = h.advance(job, step);
        int idx = indexOf(job, step);
        List<JobStep> steps = new ArrayList<>(job.steps());
        JobStep cur = steps.get(idx);
        switch (out) {
            case StepOutcome.Wait w -> {
                if (!Objects.equals(w.message(), cur.message()) || !Objects.equals(w.progress(), job.progress())) {
                    steps.set(idx, new JobStep(cur.name(), cur.state(), cur.startedAt(), null, w.message()));
                    save(new Job(job.id(), job.type(), job.targetId(), job.state(), step, steps,
                            w.progress() == null ? job.progress() : w.progress(), job.params(), null,
                            job.requestedBy(), job.createdAt(), job.startedAt(), null, now));
                }
            }
            case StepOutcome.Done d -> next(job, steps, idx, new JobStep(cur.name(), "DONE", cur.startedAt(), now, d.message()), now);
            case StepOutcome.Skipped s -> next(job, steps, idx, new JobStep(cur.name(), "SKIPPED", cur.startedAt(), now, s.message()), now);
            case StepOutcome.Failed f -> {
                steps.set(idx, new JobStep(cur.name(), "FAILED", cur.startedAt(), now, f.error().message()));
                save(new Job(job.id(), job.type(), job.targetId(), Job.FAILED, step, steps, job.progress(), job.params(),
                        f.error(), job.requestedBy(), job.createdAt(), job.startedAt(), now, now));
                LOG.log(System.Logger.Level.WARNING, "job {0} failed at {1}: {2}", job.id(), step, f.error().message());
                h.afterFailed(job);
            }
        }
    }

    private void next(Job job, List<JobStep> steps, int idx, JobStep finished, Instant now) {
        steps.set(idx, finished);
        LOG.log(System.Logger.Level.INFO, "job {0} ({1}) step {2} {3}: {4}", job.id(), job.type(), finished.name(),
                finished.state(), finished.message());
        if (idx + 1 < steps.size()) {
            JobStep n = steps.get(idx + 1);
            steps.set(idx + 1, new JobStep(n.name(), "RUNNING", now, null, null));
            save(new Job(job.id(), job.type(), job.targetId(), Job.RUNNING, n.name(), steps, job.progress(), job.params(),
                    null, job.requestedBy(), job.createdAt(), job.startedAt(), null, now));
        } else {
            save(new Job(job.id(), job.type(), job.targetId(), Job.SUCCEEDED, finished.name(), steps, job.progress(),
                    job.params(), null, job.requestedBy(), job.createdAt(), job.startedAt(), now, now));
            LOG.log(System.Logger.Level.INFO, "job {0} ({1}) succeeded", job.id(), job.type());
        }
    }

    private static int indexOf(Job job, String step) {
        for (int i = 0; i < job.steps().size(); i++) {
            if (job.steps().get(i).name().equals(step)) return i;
        }
        throw new IllegalStateException("job " + job.id() + " has no step " + step);
    }

    private Job save(Job j) {
        store.updateJob(j);
        return j;
    }

    @Override
    public void close() {
        closed = true;
        if (thread != null) thread.interrupt();
    }
}
