package io.ferry.vault.api;

import io.ferry.vault.auth.Principal;
import io.ferry.vault.auth.Role;
import io.ferry.vault.auth.Secrets;
import io.ferry.vault.jobs.Jobs;
import io.ferry.vault.store.Alert;
import io.ferry.vault.store.ConflictException;
import io.ferry.vault.store.IdempotentResponse;
import io.ferry.vault.store.Job;
import io.ferry.vault.store.JobFilter;
import io.ferry.vault.store.ProtectedMachine;
import io.ferry.vault.store.VaultStore;
import io.javalin.http.Context;
import tools.jackson.databind.json.JsonMapper;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/** Protected machines, their points, jobs and alerts; protect and unprotect. */
final class ProtectionApi {
    record Protect(String machineId, String pairingId) {}

    record Unprotect(Boolean deletePoints) {}

    record TestFailoverRequest(String point, String domainName, String network) {}

    record FailoverRequest(Boolean planned, String point, Boolean shutdownSource, Integer shutdownTimeoutSeconds,
                           String domainName) {}

    record ChangePointRequest(String point) {}

    record FailbackRequest(String sync, Integer shutdownTimeoutSeconds, String host, String domainName) {}

    static void register(Routes r, VaultStore store, Views views, Jobs jobs, JsonMapper json) {
        r.get("/protected-machines", Role.VIEWER, (ctx, who) -> {
            String pairing = ctx.queryParam("pairingId");
            String state = ctx.queryParam("state");
            String health = ctx.queryParam("health");
            List<Views.ProtectedMachineView> all = store.protectedMachines().stream()
                    .filter(pm -> pairing == null || pairing.equals(pm.pairingId()))
                    .filter(pm -> state == null || state.equals(pm.state()))
                    .filter(pm -> health == null || health.equals(pm.health()))
                    .map(views::protectedMachine).toList();
            ctx.json(Pages.of(ctx, all, Views.ProtectedMachineView::id));
        });
        r.get("/protected-machines/{id}", Role.VIEWER, (ctx, who) -> ctx.json(views.protectedMachine(pm(store, ctx.pathParam("id")))));
        r.get("/protected-machines/{id}/points", Role.VIEWER, (ctx, who) -> {
            ProtectedMachine pm = pm(store, ctx.pathParam("id"));
            ctx.json(Pages.of(ctx, store.points(pm.id()).stream().map(Views.PointView::of).toList(), Views.PointView::id));
        });
        r.post("/protected-machines", Role.OPERATOR, "protect", (ctx, who) -> idempotent(ctx, who, store, json, () -> {
            Protect p = Requests.body(ctx, json, Protect.class);
            Job job = jobs.protect(Requests.required(p.machineId(), "machineId"), Requests.required(p.pairingId(), "pairingId"), who.name());
            return views.job(job, jobs.cancellable(job));
        }));
        r.post("/protected-machines/{id}/unprotect", Role.OPERATOR, "unprotect", (ctx, who) -> idempotent(ctx, who, store, json, () -> {
            Unprotect u = ctx.body().isBlank() ? new Unprotect(false) : Requests.body(ctx, json, Unprotect.class);
            Job job = jobs.unprotect(pm(store, ctx.pathParam("id")).id(), Boolean.TRUE.equals(u.deletePoints()), who.name());
            return views.job(job, jobs.cancellable(job));
        }));
        // ---- test failover, failover, change point, commit (docs/operations.md, "Failover and test failover")
        r.post("/protected-machines/{id}/test-failover", Role.OPERATOR, "test failover", (ctx, who) -> idempotent(ctx, who, store, json, () -> {
            TestFailoverRequest t = ctx.body().isBlank() ? new TestFailoverRequest(null, null, null) : Requests.body(ctx, json, TestFailoverRequest.class);
            Job job = jobs.testFailover(pm(store, ctx.pathParam("id")).id(), t.point(), t.domainName(), t.network(), who.name());
            return views.job(job, jobs.cancellable(job));
        }));
        r.post("/protected-machines/{id}/test-failover/cleanup", Role.OPERATOR, "test failover cleanup", (ctx, who) -> idempotent(ctx, who, store, json, () -> {
            Job job = jobs.testFailoverCleanup(pm(store, ctx.pathParam("id")).id(), who.name());
            return views.job(job, jobs.cancellable(job));
        }));
        r.post("/protected-machines/{id}/failover", Role.OPERATOR, "failover", (ctx, who) -> idempotent(ctx, who, store, json, () -> {
            FailoverRequest f = Requests.body(ctx, json, FailoverRequest.class);
            if (f.planned() == null) throw ApiException.invalid("'planned' is required: true (no data loss) or false (from a point)", null);
            Job job = jobs.failover(pm(store, ctx.pathParam("id")).id(), f.planned(), f.point(), Boolean.TRUE.equals(f.shutdownSource()),
                    f.shutdownTimeoutSeconds(), f.domainName(), who.name());
            return views.job(job, jobs.cancellable(job));
        }));
        r.post("/protected-machines/{id}/change-point", Role.OPERATOR, "change point", (ctx, who) -> idempotent(ctx, who, store, json, () -> {
            ChangePointRequest c = Requests.body(ctx, json, ChangePointRequest.class);
            Job job = jobs.changePoint(pm(store, ctx.pathParam("id")).id(), Requests.required(c.point(), "point"), who.name());
            return views.job(job, jobs.cancellable(job));
        }));
        r.post("/protected-machines/{id}/commit", Role.OPERATOR, "commit", (ctx, who) -> idempotent(ctx, who, store, json, () -> {
            Job job = jobs.commit(pm(store, ctx.pathParam("id")).id(), who.name());
            return views.job(job, jobs.cancellable(job));
        }));
        r.post("/protected-machines/{id}/reprotect", Role.OPERATOR, "reprotect", (ctx, who) -> idempotent(ctx, who, store, json, () -> {
            Job job = jobs.reprotect(pm(store, ctx.pathParam("id")).id(), who.name());
            return views.job(job, jobs.cancellable(job));
        }));
        r.post("/protected-machines/{id}/failback", Role.OPERATOR, "failback", (ctx, who) -> idempotent(ctx, who, store, json, () -> {
            FailbackRequest f = ctx.body().isBlank() ? new FailbackRequest(null, null, null, null)
                    : Requests.body(ctx, json, FailbackRequest.class);
            Job job = jobs.failback(pm(store, ctx.pathParam("id")).id(), f.sync(), f.shutdownTimeoutSeconds(), f.host(),
                    f.domainName(), who.name());
            return views.job(job, jobs.cancellable(job));
        }));
        r.get("/protected-machines/{id}/recovery-vms", Role.VIEWER, (ctx, who) -> {
            ProtectedMachine pm = pm(store, ctx.pathParam("id"));
            ctx.json(Pages.of(ctx, store.recoveryVmsByMachine(pm.id()).stream().map(views::recoveryVm).toList(),
                    Views.RecoveryVmView::id));
        });
        // ---- jobs
        r.get("/jobs", Role.VIEWER, (ctx, who) -> {
            List<Job> list = store.jobs(new JobFilter(ctx.queryParam("state"), ctx.queryParam("type"), ctx.queryParam("targetId"),
                    Requests.limit(ctx) + 1, ctx.queryParam("after")));
            int limit = Requests.limit(ctx);
            String next = list.size() > limit ? list.get(limit - 1).id() : null;
            ctx.json(new Views.Page<>(list.subList(0, Math.min(limit, list.size())).stream()
                    .map(j -> views.job(j, jobs.cancellable(j))).toList(), next));
        });
        r.get("/jobs/{id}", Role.VIEWER, (ctx, who) -> {
            Job j = store.job(ctx.pathParam("id")).orElseThrow(() -> ApiException.notFound("job", ctx.pathParam("id")));
            ctx.json(views.job(j, jobs.cancellable(j)));
        });
        r.post("/jobs/{id}/continue", Role.OPERATOR, "continue job", (ctx, who) -> {
            Job j = jobs.continueJob(ctx.pathParam("id"), who.name());
            ctx.status(202).json(views.job(j, jobs.cancellable(j)));
        });
        r.post("/jobs/{id}/cancel", Role.OPERATOR, "cancel job", (ctx, who) -> {
            Job j = jobs.cancel(ctx.pathParam("id"), who.name());
            ctx.status(202).json(views.job(j, false));
        });
        // ---- alerts
        r.get("/alerts", Role.VIEWER, (ctx, who) -> {
            // openapi.yaml: true = only alerts not cleared, false = only cleared ones, absent = all
            String active = ctx.queryParam("active");
            if (active != null && !active.equals("true") && !active.equals("false")) {
                throw ApiException.invalid("query parameter 'active' must be true or false, got '" + active + "'", null);
            }
            List<Alert> list = "true".equals(active) ? store.activeAlerts() : store.alerts(1000, null).stream()
                    .filter(a -> active == null || a.clearedAt() != null).toList();
            ctx.json(Pages.of(ctx, list, Alert::id));
        });
    }

    /**
     * Runs an operation once per Idempotency-Key and caller: a retry with the same key returns
     * the first answer (a different body with the same key is a conflict).
     */
    private static void idempotent(Context ctx, Principal who, VaultStore store, JsonMapper json, Supplier<Object> op) {
        String key = ctx.header("Idempotency-Key");
        if (key == null) {
            ctx.status(202).json(op.get());
            return;
        }
        if (key.isBlank() || key.length() > 200) throw ApiException.invalid("Idempotency-Key must be 1-200 characters", null);
        String hash = Secrets.hash(ctx.method() + " " + ctx.path() + "\n" + ctx.body());
        Optional<IdempotentResponse> seen = store.idempotent(key, who.name());
        if (seen.isPresent()) {
            if (!seen.get().requestHash().equals(hash)) {
                throw ApiException.conflict("Idempotency-Key '" + key + "' was used for a different request",
                        "use a new key for a new operation");
            }
            ctx.status(seen.get().status()).contentType("application/json").result(seen.get().responseBody());
            return;
        }
        Object result = op.get();
        String body = json.writeValueAsString(result);
        try {
            store.saveIdempotent(key, who.name(), hash, 202, body, Instant.now());
        } catch (ConflictException raced) {
            // a concurrent retry saved first; both started nothing twice thanks to one-active-job
        }
        ctx.status(202).contentType("application/json").result(body);
    }

    static ProtectedMachine pm(VaultStore store, String idOrMachine) {
        return store.protectedMachine(idOrMachine).or(() -> store.protectedMachineByMachine(idOrMachine))
                .orElseThrow(() -> ApiException.notFound("protected machine", idOrMachine));
    }

    private ProtectionApi() {}
}
