package io.ferry.cli.remote;

import tools.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Finds the object an operator named, by id or by name: sites, hosts, policies, pairings,
 * machines, protected machines. An id matches first; otherwise the name must match exactly one
 * object: none is NOT_FOUND, several (a machine name on two hosts) is AMBIGUOUS, listing the
 * candidates with their ids. Both are refused by the CLI (exit code 2) with a hint.
 */
final class Resolver {
    private final VaultClient client;
    private Map<String, String> hostNames;

    Resolver(VaultClient client) {
        this.client = client;
    }

    JsonNode site(String nameOrId) {
        return pick("site", "ferry sites", client.list("/sites", Map.of()), nameOrId, "name", n -> "");
    }

    JsonNode policy(String nameOrId) {
        return pick("policy", "ferry policies", client.list("/policies", Map.of()), nameOrId, "name", n -> "");
    }

    JsonNode pairing(String nameOrId) {
        return pick("pairing", "ferry pairings", client.list("/pairings", Map.of()), nameOrId, "name", n -> "");
    }

    /** A host, among the hosts of {@code siteId} if that is not null. */
    JsonNode host(String nameOrId, String siteId) {
        return pick("host", "ferry hosts", client.list("/hosts", query("siteId", siteId)), nameOrId, "name",
                n -> "site " + Json.text(n, "siteId"));
    }

    /**
     * A machine, among those of {@code siteId} and {@code hostId} where they are not null: first by
     * name ({@code GET /machines?name=}), then by id.
     */
    JsonNode machine(String nameOrId, String siteId, String hostId) {
        Map<String, String> q = query("siteId", siteId);
        q.put("hostId", hostId);
        q.put("name", nameOrId);
        List<JsonNode> named = client.list("/machines", q);
        if (named.isEmpty()) {
            try {
                JsonNode byId = client.get("/machines/" + VaultClient.seg(nameOrId));
                if ((siteId == null || siteId.equals(Json.text(byId, "siteId"))) && (hostId == null || hostId.equals(Json.text(byId, "hostId")))) {
                    return byId;
                }
            } catch (VaultException e) {
                if (e.status() != 404 && e.status() != 400) {
                    throw e;
                }
            }
        }
        return pick("machine", "ferry machines", named, nameOrId, "name", n -> "on host " + hostName(Json.text(n, "hostId")));
    }

    /** A protected machine by its id, its machine's id or its machine's name. */
    JsonNode protectedMachine(String nameOrId) {
        List<JsonNode> all = client.list("/protected-machines", Map.of());
        for (JsonNode n : all) {
            if (nameOrId.equals(Json.text(n, "id"))) {
                return n;
            }
        }
        for (JsonNode n : all) {
            if (nameOrId.equals(Json.text(n, "machineId"))) {
                return n;
            }
        }
        return pick("protected machine", "ferry protected", all, nameOrId, "machineName",
                n -> "on host " + hostName(Json.text(n, "hostId")));
    }

    /** The name of each object of a list, by id (for tables that show names instead of ids). */
    Map<String, String> names(String path) {
        Map<String, String> m = new HashMap<>();
        for (JsonNode n : client.list(path, Map.of())) {
            m.put(Json.text(n, "id"), Json.text(n, "name"));
        }
        return m;
    }

    String hostName(String hostId) {
        if (hostId == null) {
            return "?";
        }
        if (hostNames == null) {
            hostNames = names("/hosts");
        }
        return hostNames.getOrDefault(hostId, hostId);
    }

    static Map<String, String> query(String key, String value) {
        Map<String, String> q = new LinkedHashMap<>();
        q.put(key, value);
        return q;
    }

    /** The one object with id {@code nameOrId}, else with that name. */
    static JsonNode pick(String kind, String listCommand, List<JsonNode> candidates, String nameOrId, String nameField,
                         Function<JsonNode, String> where) {
        for (JsonNode n : candidates) {
            if (nameOrId.equals(Json.text(n, "id"))) {
                return n;
            }
        }
        List<JsonNode> named = new ArrayList<>();
        for (JsonNode n : candidates) {
            if (nameOrId.equals(Json.text(n, nameField))) {
                named.add(n);
            }
        }
        if (named.size() == 1) {
            return named.get(0);
        }
        if (named.isEmpty()) {
            throw VaultException.refused("NOT_FOUND", "no " + kind + " is named '" + nameOrId + "' or has that id",
                    "list them with `" + listCommand + "`");
        }
        StringBuilder sb = new StringBuilder(kind + " name '" + nameOrId + "' is ambiguous, " + named.size() + " match:");
        for (JsonNode n : named) {
            String w = where.apply(n);
            sb.append("\n  ").append(Json.text(n, "id")).append(w == null || w.isEmpty() ? "" : "  " + w);
        }
        throw VaultException.refused("AMBIGUOUS", sb.toString(), "name it by id, e.g. " + Json.text(named.get(0), "id"));
    }
}
