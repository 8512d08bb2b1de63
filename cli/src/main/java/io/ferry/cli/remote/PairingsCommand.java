package io.ferry.cli.remote;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code ferry pairings [create|delete]}: primary site to recovery site, with a policy and a repository. */
@Command(name = "pairings", mixinStandardHelpOptions = true, description = "List pairings of a primary and a recovery site, or create or delete one.",
        subcommands = {PairingsCommand.Create.class, PairingsCommand.Delete.class})
public final class PairingsCommand extends RemoteCommand {
    @Override
    int execute() {
        List<JsonNode> pairings = client().list("/pairings", Map.of());
        if (json()) {
            Json.print(out(), pairings);
            return 0;
        }
        Map<String, String> sites = resolver().names("/sites");
        Map<String, String> policies = resolver().names("/policies");
        Map<String, String> hosts = resolver().names("/hosts");
        Table t = new Table("name", "primary", "recovery", "policy", "recovery-host", "repository", "encrypted", "networks", "id");
        for (JsonNode p : pairings) {
            t.row(Json.text(p, "name"), name(sites, p, "primarySiteId"), name(sites, p, "recoverySiteId"), name(policies, p, "policyId"),
                    name(hosts, p, "recoveryHostId"), Json.text(p, "repositoryName"), Json.bool(p, "encrypted") ? "yes" : "no",
                    mapping(Json.object(p, "networkMapping")), Json.text(p, "id"));
        }
        t.print(out());
        return 0;
    }

    private static String name(Map<String, String> names, JsonNode n, String idField) {
        String id = Json.text(n, idField);
        return names.getOrDefault(id, id);
    }

    private static String mapping(JsonNode m) {
        if (m == null || m.isEmpty()) {
            return null;
        }
        List<String> parts = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : m.properties()) {
            parts.add(e.getKey() + "=" + e.getValue().asString());
        }
        return String.join(",", parts);
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Pair a primary site with a recovery site (OPERATOR).")
    public static final class Create extends RemoteCommand {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;
        @Option(names = "--primary", required = true, paramLabel = "SITE", description = "The site whose machines are protected.")
        String primary;
        @Option(names = "--recovery", required = true, paramLabel = "SITE", description = "The site they fail over to.")
        String recovery;
        @Option(names = "--policy", required = true, paramLabel = "POLICY")
        String policy;
        @Option(names = "--recovery-host", required = true, paramLabel = "HOST",
                description = "The recovery site's host that keeps the repository and receives replication.")
        String recoveryHost;
        @Option(names = "--repository", paramLabel = "NAME", description = "Repository on the recovery host (default: the pairing's name).")
        String repository;
        @Option(names = "--map", paramLabel = "SRC=DST", description = "Map source network SRC to recovery network DST (repeatable).")
        Map<String, String> networkMapping;

        @Override
        int execute() {
            JsonNode p = resolver().site(primary);
            JsonNode r = resolver().site(recovery);
            JsonNode pol = resolver().policy(policy);
            JsonNode h = resolver().host(recoveryHost, Json.text(r, "id"));
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("name", name);
            body.put("primarySiteId", Json.text(p, "id"));
            body.put("recoverySiteId", Json.text(r, "id"));
            body.put("policyId", Json.text(pol, "id"));
            body.put("recoveryHostId", Json.text(h, "id"));
            if (repository != null) {
                body.put("repositoryName", repository);
            }
            if (networkMapping != null && !networkMapping.isEmpty()) {
                body.put("networkMapping", new LinkedHashMap<>(networkMapping));
            }
            JsonNode created = client().post("/pairings", body);
            if (json()) {
                Json.print(out(), created);
            } else {
                out().printf("created pairing %s (id %s): %s -> %s, policy %s, repository %s on %s%n", Json.text(created, "name"),
                        Json.text(created, "id"), Json.text(p, "name"), Json.text(r, "name"), Json.text(pol, "name"),
                        Json.text(created, "repositoryName"), Json.text(h, "name"));
                out().printf("protect a machine with it: `ferry protect MACHINE --pairing %s`%n", Json.text(created, "name"));
                out().flush();
            }
            return 0;
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete a pairing without protected machines (OPERATOR).")
    public static final class Delete extends RemoteCommand {
        @Parameters(index = "0", paramLabel = "PAIRING", description = "Pairing name or id.")
        String pairing;

        @Override
        int execute() {
            JsonNode p = resolver().pairing(pairing);
            client().delete("/pairings/" + VaultClient.seg(Json.text(p, "id")));
            if (json()) {
                Json.print(out(), Map.of("id", Json.text(p, "id"), "deleted", true));
            } else {
                out().printf("deleted pairing %s (id %s)%n", Json.text(p, "name"), Json.text(p, "id"));
                out().flush();
            }
            return 0;
        }
    }
}
