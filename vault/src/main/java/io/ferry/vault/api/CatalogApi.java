package io.ferry.vault.api;

import io.ferry.vault.auth.Role;
import io.ferry.vault.auth.Secrets;
import io.ferry.vault.store.ConflictException;
import io.ferry.vault.store.Host;
import io.ferry.vault.store.Machine;
import io.ferry.vault.store.Pairing;
import io.ferry.vault.store.Policy;
import io.ferry.vault.store.Site;
import io.ferry.vault.store.VaultStore;
import tools.jackson.databind.json.JsonMapper;

import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** Sites, registration keys, hosts, machines, policies and pairings. */
final class CatalogApi {
    record NewSite(String name, String description) {}

    record NewKey(Integer ttlSeconds) {}

    record KeyView(String key, String siteId, Instant expiresAt, String caFingerprint, String vaultUrl) {}

    record PolicyInput(String name, Integer copyFrequencySeconds, Integer retentionSeconds,
                       Integer appConsistentFrequencySeconds, String compression, Integer compressionLevel,
                       Boolean encryption, Long bandwidthLimitBytesPerSecond, Integer rpoThresholdSeconds) {}

    record NewPairing(String name, String primarySiteId, String recoverySiteId, String policyId, String recoveryHostId,
                      String repositoryName, Map<String, String> networkMapping) {}

    static void register(Routes r, VaultStore store, Views views, JsonMapper json, String caFingerprint, String vaultUrl) {
        // ---- sites
        r.get("/sites", Role.VIEWER, (ctx, who) -> ctx.json(Pages.of(ctx, store.sites(), Site::id)));
        r.get("/sites/{id}", Role.VIEWER, (ctx, who) -> ctx.json(site(store, ctx.pathParam("id"))));
        r.post("/sites", Role.ADMIN, "create site", (ctx, who) -> {
            NewSite s = Requests.body(ctx, json, NewSite.class);
            Requests.name(s.name(), "name");
            try {
                ctx.status(201).json(store.createSite(s.name(), s.description()));
            } catch (ConflictException e) {
                throw ApiException.conflict("site '" + s.name() + "' already exists", "choose another name");
            }
        });
        r.post("/sites/{id}/registration-keys", Role.ADMIN, "create registration key", (ctx, who) -> {
            Site s = site(store, ctx.pathParam("id"));
            NewKey k = ctx.body().isBlank() ? new NewKey(null) : Requests.body(ctx, json, NewKey.class);
            int ttl = Requests.range(k.ttlSeconds(), 86400, 60, 604800, "ttlSeconds");
            String secret = Secrets.newSecret("frk_");
            Instant expires = Instant.now().plusSeconds(ttl);
            store.createRegistrationKey(s.id(), Secrets.hash(secret), expires);
            ctx.status(201).json(new KeyView(secret, s.id(), expires, caFingerprint, vaultUrl));
        });
        // ---- hosts and machines
        r.get("/hosts", Role.VIEWER, (ctx, who) -> {
            String site = ctx.queryParam("siteId");
            List<Host> hosts = site == null ? store.hosts() : store.hostsBySite(site);
            ctx.json(Pages.of(ctx, hosts.stream().map(views::host).toList(), Views.HostView::id));
        });
        r.get("/hosts/{id}", Role.VIEWER, (ctx, who) -> ctx.json(views.host(store.host(ctx.pathParam("id"))
                .orElseThrow(() -> ApiException.notFound("host", ctx.pathParam("id"))))));
        r.get("/machines", Role.VIEWER, (ctx, who) -> {
            String host = ctx.queryParam("hostId");
            String site = ctx.queryParam("siteId");
            String name = ctx.queryParam("name");
            List<Views.MachineView> all = (host == null ? store.machines() : store.machinesByHost(host)).stream()
                    .filter(m -> name == null || m.name().equals(name))
                    .map(views::machine)
                    .filter(m -> site == null || site.equals(m.siteId()))
                    .toList();
            ctx.json(Pages.of(ctx, all, Views.MachineView::id));
        });
        r.get("/machines/{id}", Role.VIEWER, (ctx, who) -> ctx.json(views.machine(store.machine(ctx.pathParam("id"))
                .orElseThrow(() -> ApiException.notFound("machine", ctx.pathParam("id"))))));
        // ---- policies
        r.get("/policies", Role.VIEWER, (ctx, who) ->
                ctx.json(Pages.of(ctx, store.policies().stream().map(Views.PolicyView::of).toList(), Views.PolicyView::id)));
        r.get("/policies/{id}", Role.VIEWER, (ctx, who) -> ctx.json(Views.PolicyView.of(policy(store, ctx.pathParam("id")))));
        r.post("/policies", Role.OPERATOR, "create policy", (ctx, who) -> {
            Policy p = validate(Requests.body(ctx, json, PolicyInput.class), null);
            try {
                ctx.status(201).json(Views.PolicyView.of(store.createPolicy(p)));
            } catch (ConflictException e) {
                throw ApiException.conflict("policy '" + p.name() + "' already exists", "choose another name or PUT to change it");
            }
        });
        r.put("/policies/{id}", Role.OPERATOR, "update policy", (ctx, who) -> {
            Policy before = policy(store, ctx.pathParam("id"));
            Policy p = validate(Requests.body(ctx, json, PolicyInput.class), before);
            if (p.encryption() != before.encryption()) {
                List<String> users = store.pairings().stream().filter(x -> x.policyId().equals(before.id())).map(Pairing::name).toList();
                if (!users.isEmpty()) {
                    throw ApiException.conflict("encryption of policy " + before.name() + " cannot change while pairings use it ("
                            + String.join(", ", users) + "): their repositories are " + (before.encryption() ? "" : "not ")
                            + "encrypted", "create a new policy and pairing");
                }
            }
            try {
                ctx.json(Views.PolicyView.of(store.updatePolicy(p)));
            } catch (ConflictException e) {
                throw ApiException.conflict("policy '" + p.name() + "' already exists", "choose another name");
            }
        });
        r.delete("/policies/{id}", Role.OPERATOR, "delete policy", (ctx, who) -> {
            Policy p = policy(store, ctx.pathParam("id"));
            try {
                store.deletePolicy(p.id());
            } catch (ConflictException e) {
                throw ApiException.conflict("policy '" + p.name() + "' is in use: " + e.getMessage(),
                        "delete the pairings that use it first");
            }
            ctx.status(204);
        });
        // ---- pairings
        r.get("/pairings", Role.VIEWER, (ctx, who) ->
                ctx.json(Pages.of(ctx, store.pairings().stream().map(views::pairing).toList(), Views.PairingView::id)));
        r.get("/pairings/{id}", Role.VIEWER, (ctx, who) -> ctx.json(views.pairing(pairing(store, ctx.pathParam("id")))));
        r.post("/pairings", Role.OPERATOR, "create pairing", (ctx, who) -> {
            NewPairing n = Requests.body(ctx, json, NewPairing.class);
            Requests.name(n.name(), "name");
            Site primary = site(store, Requests.required(n.primarySiteId(), "primarySiteId"));
            Site recovery = site(store, Requests.required(n.recoverySiteId(), "recoverySiteId"));
            if (primary.id().equals(recovery.id())) {
                throw ApiException.invalid("the primary and recovery sites of pairing " + n.name() + " are the same (" + primary.name() + ")",
                        "a pairing protects one site at another");
            }
            Policy policy = policy(store, Requests.required(n.policyId(), "policyId"));
            Host host = store.host(Requests.required(n.recoveryHostId(), "recoveryHostId"))
                    .orElseThrow(() -> ApiException.notFound("host", n.recoveryHostId()));
            if (!host.siteId().equals(recovery.id())) {
                throw ApiException.invalid("recovery host " + host.name() + " is not in the recovery site " + recovery.name(),
                        "choose a host of site " + recovery.name() + " (`ferry hosts --site " + recovery.name() + "`)");
            }
            String repo = n.repositoryName() == null ? n.name() : Requests.name(n.repositoryName(), "repositoryName");
            for (Pairing other : store.pairings()) {
                if (other.recoveryHostId().equals(host.id()) && other.repositoryName().equals(repo)) {
                    throw ApiException.conflict("repository " + repo + " on " + host.name() + " is already used by pairing "
                            + other.name(), "give this pairing its own repositoryName");
                }
            }
            Map<String, String> mapping = n.networkMapping() == null ? Map.of() : n.networkMapping();
            mapping.forEach((k, v) -> {
                if (k == null || k.isBlank() || v == null || v.isBlank()) {
                    throw ApiException.invalid("networkMapping entries map a source network to a recovery network; got '" + k + "' → '" + v + "'", null);
                }
            });
            String key = policy.encryption() ? Base64.getEncoder().encodeToString(Secrets.randomBytes(32)) : null;
            try {
                Pairing p = store.createPairing(new Pairing(null, n.name(), primary.id(), recovery.id(), policy.id(), host.id(),
                        repo, json.writeValueAsString(mapping), key, Instant.now()));
                ctx.status(201).json(views.pairing(p));
            } catch (ConflictException e) {
                throw ApiException.conflict("pairing '" + n.name() + "' already exists", "choose another name");
            }
        });
        r.delete("/pairings/{id}", Role.OPERATOR, "delete pairing", (ctx, who) -> {
            Pairing p = pairing(store, ctx.pathParam("id"));
            try {
                store.deletePairing(p.id());
            } catch (ConflictException e) {
                throw ApiException.conflict("pairing '" + p.name() + "' still protects machines: " + e.getMessage(),
                        "disable their protection first (`ferry unprotect MACHINE`)");
            }
            ctx.status(204);
        });
    }

    /**
     * The policy {@code in} describes. On update ({@code before} not null) it replaces the whole
     * policy, as openapi.yaml says: omitted fields take their defaults, as on create (the CLI
     * relies on it: it leaves rpoThresholdSeconds out to let it follow a new copy frequency).
     */
    static Policy validate(PolicyInput in, Policy before) {
        String name = Requests.name(in.name(), "name");
        int freq = Requests.range(in.copyFrequencySeconds(), 300, 15, 86400, "copyFrequencySeconds");
        int retention = Requests.range(in.retentionSeconds(), Math.max(86400, freq), freq, 7_776_000, "retentionSeconds");
        int app = Requests.range(in.appConsistentFrequencySeconds(), 0, 0, 86400, "appConsistentFrequencySeconds");
        if (app != 0 && app < freq) {
            throw ApiException.invalid("appConsistentFrequencySeconds must be 0 (off) or at least copyFrequencySeconds (" + freq + "), got " + app, null);
        }
        String compression = in.compression() != null ? in.compression() : "zstd";
        if (!compression.equals("zstd") && !compression.equals("none")) {
            throw ApiException.invalid("compression must be 'zstd' or 'none', got '" + compression + "'", null);
        }
        int level = Requests.range(in.compressionLevel(), 1, 1, 19, "compressionLevel");
        boolean encryption = Boolean.TRUE.equals(in.encryption());
        long bw = in.bandwidthLimitBytesPerSecond() != null ? in.bandwidthLimitBytesPerSecond() : 0;
        if (bw < 0) throw ApiException.invalid("bandwidthLimitBytesPerSecond must be >= 0 (0 = unlimited), got " + bw, null);
        int rpo = Requests.range(in.rpoThresholdSeconds(), 2 * freq, freq, 7 * 86400, "rpoThresholdSeconds");
        Instant now = Instant.now();
        return new Policy(before == null ? null : before.id(), name, freq, retention, app, compression, level, encryption, bw, rpo,
                before == null ? now : before.createdAt(), now);
    }

    static Site site(VaultStore store, String idOrName) {
        return store.site(idOrName).or(() -> store.siteByName(idOrName))
                .orElseThrow(() -> ApiException.notFound("site", idOrName));
    }

    static Policy policy(VaultStore store, String idOrName) {
        return store.policy(idOrName).or(() -> store.policyByName(idOrName))
                .orElseThrow(() -> ApiException.notFound("policy", idOrName));
    }

    static Pairing pairing(VaultStore store, String idOrName) {
        return store.pairing(idOrName).or(() -> store.pairingByName(idOrName))
                .orElseThrow(() -> ApiException.notFound("pairing", idOrName));
    }

    static Machine machine(VaultStore store, String id) {
        return store.machine(id).orElseThrow(() -> ApiException.notFound("machine", id));
    }

    private CatalogApi() {
        Objects.requireNonNull(null);
    }
}
