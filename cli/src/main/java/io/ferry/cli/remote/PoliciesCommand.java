package io.ferry.cli.remote;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.JsonNode;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code ferry policies [create|update|delete]}: replication policies. */
@Command(name = "policies", mixinStandardHelpOptions = true, description = "List replication policies, or create, update or delete one.",
        subcommands = {PoliciesCommand.Create.class, PoliciesCommand.Update.class, PoliciesCommand.Delete.class})
public final class PoliciesCommand extends RemoteCommand {
    @Override
    int execute() {
        List<JsonNode> policies = client().list("/policies", Map.of());
        if (json()) {
            Json.print(out(), policies);
            return 0;
        }
        Table t = new Table("name", "copy-frequency", "retention", "app-consistent", "compression", "encryption", "bandwidth",
                "rpo-threshold", "id");
        for (JsonNode p : policies) {
            t.row(Json.text(p, "name"), seconds(p, "copyFrequencySeconds"), seconds(p, "retentionSeconds"),
                    Json.longValue(p, "appConsistentFrequencySeconds", 0) == 0 ? "off" : seconds(p, "appConsistentFrequencySeconds"),
                    "zstd".equals(Json.text(p, "compression")) ? "zstd-" + Json.longValue(p, "compressionLevel", 1) : Json.text(p, "compression"),
                    Json.bool(p, "encryption") ? "yes" : "no", rate(Json.longValue(p, "bandwidthLimitBytesPerSecond", 0)),
                    seconds(p, "rpoThresholdSeconds"), Json.text(p, "id"));
        }
        t.print(out());
        return 0;
    }

    private static String seconds(JsonNode n, String field) {
        long v = Json.longValue(n, field, -1);
        return v < 0 ? null : Units.duration(v);
    }

    static String rate(long bytesPerSecond) {
        return bytesPerSecond <= 0 ? "unlimited" : Units.bytes(bytesPerSecond) + "/s";
    }

    /** The settings of a policy as options; only those given are sent (the vault applies its defaults). */
    static final class Settings {
        @Option(names = "--copy-frequency", paramLabel = "DURATION", converter = DurationConverter.class,
                description = "A replication cycle this often, 15s to 24h (default 5m).")
        Long copyFrequency;
        @Option(names = "--retention", paramLabel = "DURATION", converter = DurationConverter.class,
                description = "Keep recovery points this long, up to 90d (default 24h).")
        Long retention;
        @Option(names = "--app-consistent-frequency", paramLabel = "DURATION", converter = DurationConverter.class,
                description = "An app-consistent point this often; 0 = never (default 0).")
        Long appConsistentFrequency;
        @Option(names = "--compression", paramLabel = "zstd|none", description = "Compression (default zstd).")
        String compression;
        @Option(names = "--compression-level", paramLabel = "N", description = "zstd level, 1 to 19 (default 1).")
        Integer compressionLevel;
        @Option(names = "--encryption", negatable = true, description = "Encrypt recovery points at rest (default: no).")
        Boolean encryption;
        @Option(names = "--bandwidth-limit", paramLabel = "SIZE", converter = SizeConverter.class,
                description = "Bytes per second per machine, e.g. 100M; 0 = unlimited (default).")
        Long bandwidthLimit;
        @Option(names = "--rpo-threshold", paramLabel = "DURATION", converter = DurationConverter.class,
                description = "Alert when the RPO exceeds this (default: twice the copy frequency).")
        Long rpoThreshold;

        /** Puts the given settings into {@code body}; refuses a compression that is neither zstd nor none. */
        void into(Map<String, Object> body, RemoteCommand command) {
            if (compression != null && !compression.equals("zstd") && !compression.equals("none")) {
                throw command.usage("--compression must be zstd or none, not '" + compression + "'");
            }
            put(body, "copyFrequencySeconds", copyFrequency);
            put(body, "retentionSeconds", retention);
            put(body, "appConsistentFrequencySeconds", appConsistentFrequency);
            put(body, "compression", compression);
            put(body, "compressionLevel", compressionLevel);
            put(body, "encryption", encryption);
            put(body, "bandwidthLimitBytesPerSecond", bandwidthLimit);
            put(body, "rpoThresholdSeconds", rpoThreshold);
        }

        private static void put(Map<String, Object> body, String field, Object value) {
            if (value != null) {
                body.put(field, value);
            }
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a replication policy (OPERATOR).")
    public static final class Create extends RemoteCommand {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;
        @Mixin
        Settings settings;

        @Override
        int execute() {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("name", name);
            settings.into(body, this);
            JsonNode p = client().post("/policies", body);
            if (json()) {
                Json.print(out(), p);
            } else {
                out().printf("created policy %s (id %s): a copy every %s, kept %s%n", Json.text(p, "name"), Json.text(p, "id"),
                        seconds(p, "copyFrequencySeconds"), seconds(p, "retentionSeconds"));
                out().flush();
            }
            return 0;
        }
    }

    @Command(name = "update", mixinStandardHelpOptions = true,
            description = "Change some settings of a policy (OPERATOR); the others keep their values.")
    public static final class Update extends RemoteCommand {
        @Parameters(index = "0", paramLabel = "POLICY", description = "Policy name or id.")
        String policy;
        @Option(names = "--name", paramLabel = "NEW_NAME", description = "Rename the policy.")
        String newName;
        @Mixin
        Settings settings;

        @Override
        int execute() {
            JsonNode current = resolver().policy(policy);
            Map<String, Object> body = new LinkedHashMap<>();
            for (String f : List.of("name", "copyFrequencySeconds", "retentionSeconds", "appConsistentFrequencySeconds", "compression",
                    "compressionLevel", "encryption", "bandwidthLimitBytesPerSecond", "rpoThresholdSeconds")) {
                JsonNode v = current.get(f);
                if (v != null && !v.isNull()) {
                    body.put(f, v);
                }
            }
            if (newName != null) {
                body.put("name", newName);
            }
            if (settings.copyFrequency != null && settings.rpoThreshold == null
                    && Json.longValue(current, "rpoThresholdSeconds", -1) == 2 * Json.longValue(current, "copyFrequencySeconds", -1)) {
                body.remove("rpoThresholdSeconds"); // it was the default: let it follow the new copy frequency
            }
            settings.into(body, this);
            JsonNode p = client().put("/policies/" + VaultClient.seg(Json.text(current, "id")), body);
            if (json()) {
                Json.print(out(), p);
            } else {
                out().printf("updated policy %s (id %s)%n", Json.text(p, "name"), Json.text(p, "id"));
                out().flush();
            }
            return 0;
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete a policy no pairing uses (OPERATOR).")
    public static final class Delete extends RemoteCommand {
        @Parameters(index = "0", paramLabel = "POLICY", description = "Policy name or id.")
        String policy;

        @Override
        int execute() {
            JsonNode p = resolver().policy(policy);
            client().delete("/policies/" + VaultClient.seg(Json.text(p, "id")));
            if (json()) {
                Json.print(out(), Map.of("id", Json.text(p, "id"), "deleted", true));
            } else {
                out().printf("deleted policy %s (id %s)%n", Json.text(p, "name"), Json.text(p, "id"));
                out().flush();
            }
            return 0;
        }
    }
}
