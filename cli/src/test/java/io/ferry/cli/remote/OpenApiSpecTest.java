package io.ferry.cli.remote;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/** The vault's OpenAPI document parses, is consistent, and holds every operation and field the CLI and the vault rely on. */
class OpenApiSpecTest {
    static final Path SPEC = Path.of(System.getProperty("basedir", "."), "..", "vault", "src", "main", "resources", "openapi.yaml");
    static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "patch", "head", "options");
    static JsonNode root;

    @BeforeAll
    static void parse() throws Exception {
        root = YAMLMapper.builder().build().readTree(Files.readString(SPEC));
    }

    @Test
    void isOpenApi31WithTheVaultsServer() {
        assertThat(root.get("openapi").asString()).startsWith("3.1");
        assertThat(root.at("/servers/0/url").asString()).isEqualTo("https://{host}:8443/api/v1");
        assertThat(root.at("/components/securitySchemes/bearer/scheme").asString()).isEqualTo("bearer");
    }

    @Test
    void everyOperationHasAUniqueOperationIdAndResponses() {
        Set<String> ids = new HashSet<>();
        for (Map.Entry<String, JsonNode> op : operations().entrySet()) {
            String id = op.getValue().path("operationId").asString("");
            assertThat(id).as("operationId of %s", op.getKey()).isNotBlank();
            assertThat(ids.add(id)).as("operationId %s is unique", id).isTrue();
            assertThat(op.getValue().path("responses").isEmpty()).as("responses of %s", op.getKey()).isFalse();
        }
    }

    @Test
    void everyRefResolves() {
        List<String> refs = new ArrayList<>();
        collectRefs(root, refs);
        assertThat(refs).isNotEmpty();
        for (String ref : refs) {
            assertThat(ref).as("local ref").startsWith("#/");
            assertThat(root.at(ref.substring(1)).isMissingNode()).as("%s resolves", ref).isFalse();
        }
    }

    @Test
    void everyPathTheCliAndTheVaultNeedExists() {
        Set<String> expected = new TreeSet<>(List.of(
                "POST /auth/login", "GET /auth/whoami",
                "GET /users", "POST /users",
                "POST /tokens", "DELETE /tokens/{id}",
                "GET /sites", "POST /sites", "GET /sites/{id}", "POST /sites/{id}/registration-keys",
                "POST /agent/register", "POST /agent/heartbeat",
                "GET /hosts", "GET /hosts/{id}",
                "GET /machines", "GET /machines/{id}",
                "GET /policies", "POST /policies", "GET /policies/{id}", "PUT /policies/{id}", "DELETE /policies/{id}",
                "GET /pairings", "POST /pairings", "GET /pairings/{id}", "DELETE /pairings/{id}",
                "GET /protected-machines", "POST /protected-machines", "GET /protected-machines/{id}",
                "POST /protected-machines/{id}/unprotect", "GET /protected-machines/{id}/points",
                "GET /jobs", "GET /jobs/{id}", "POST /jobs/{id}/cancel",
                "GET /alerts", "GET /audit", "GET /health", "GET /openapi.yaml", "GET /metrics"));
        assertThat(operations().keySet()).containsAll(expected);
    }

    @Test
    void onlyTheDocumentedOperationsGoWithoutABearerToken() {
        Set<String> open = new TreeSet<>();
        for (Map.Entry<String, JsonNode> op : operations().entrySet()) {
            JsonNode security = op.getValue().get("security");
            if (security != null && (security.isEmpty() || security.at("/0/bearer").isMissingNode())) {
                open.add(op.getKey());
            }
        }
        assertThat(open).containsExactlyInAnyOrder("POST /auth/login", "GET /health", "GET /openapi.yaml", "POST /agent/register",
                "POST /agent/heartbeat", "GET /metrics");
        assertThat(operations().get("POST /agent/heartbeat").at("/security/0/agentCertificate").isArray()).isTrue();
        assertThat(root.at("/components/securitySchemes/agentCertificate/type").asString()).isEqualTo("mutualTLS");
    }

    @Test
    void everyAuthenticatedOperationNamesItsRole() {
        for (Map.Entry<String, JsonNode> op : operations().entrySet()) {
            if (op.getValue().has("security")) {
                continue;
            }
            assertThat(op.getValue().path("description").asString(""))
                    .as("role in the description of %s", op.getKey()).containsPattern("Role: (VIEWER|OPERATOR|ADMIN)");
            if (op.getKey().startsWith("GET ") && !op.getKey().equals("GET /users") && !op.getKey().equals("GET /audit")) {
                assertThat(op.getValue().path("description").asString("")).as(op.getKey()).contains("Role: VIEWER");
            }
        }
        assertThat(operations().get("GET /audit").path("description").asString()).contains("Role: ADMIN");
        assertThat(operations().get("POST /protected-machines").path("description").asString()).contains("Role: OPERATOR");
        assertThat(operations().get("POST /sites/{id}/registration-keys").path("description").asString()).contains("Role: ADMIN");
    }

    @Test
    void everyErrorAnswerIsAnError() {
        for (Map.Entry<String, JsonNode> op : operations().entrySet()) {
            for (Map.Entry<String, JsonNode> r : op.getValue().path("responses").properties()) {
                if (r.getKey().startsWith("4") || r.getKey().startsWith("5")) {
                    JsonNode resp = r.getValue();
                    if (resp.has("$ref")) {
                        resp = root.at(resp.get("$ref").asString().substring(1));
                    }
                    assertThat(resp.at("/content/application~1json/schema/$ref").asString(""))
                            .as("%s %s", op.getKey(), r.getKey()).isEqualTo("#/components/schemas/Error");
                }
            }
        }
        assertThat(fields("Error")).containsExactly("code", "message", "hint");
    }

    @Test
    void listsArePagedAndJobStartersAreIdempotent() {
        for (Map.Entry<String, JsonNode> op : operations().entrySet()) {
            JsonNode ok = op.getValue().at("/responses/200/content/application~1json/schema/$ref");
            if (ok.isString() && ok.asString().endsWith("List")) {
                assertThat(params(op.getValue())).as("paging of %s", op.getKey()).contains("limit", "after");
                String schema = ok.asString().substring("#/components/schemas/".length());
                assertThat(fields(schema)).containsExactly("items", "next");
            }
            JsonNode accepted = op.getValue().at("/responses/202/content/application~1json/schema/$ref");
            if (!accepted.isMissingNode()) {
                assertThat(accepted.asString()).isEqualTo("#/components/schemas/Job");
                assertThat(params(op.getValue())).as("Idempotency-Key of %s", op.getKey()).contains("Idempotency-Key");
            }
        }
        assertThat(operations().get("POST /protected-machines").at("/responses/202").isMissingNode()).isFalse();
        assertThat(operations().get("POST /protected-machines/{id}/unprotect").at("/responses/202").isMissingNode()).isFalse();
        assertThat(operations().get("POST /jobs/{id}/cancel").at("/responses/202").isMissingNode()).isFalse();
        assertThat(root.at("/components/parameters/Limit/schema/maximum").asInt()).isEqualTo(500);
        assertThat(root.at("/components/parameters/Limit/schema/default").asInt()).isEqualTo(100);
    }

    @Test
    void schemasHaveExactlyTheAgreedFields() {
        assertThat(fields("User")).containsExactly("id", "name", "role", "createdAt", "disabled");
        assertThat(fields("Site")).containsExactly("id", "name", "description", "createdAt");
        assertThat(fields("RegistrationKey")).containsExactly("key", "siteId", "expiresAt", "caFingerprint", "vaultUrl");
        assertThat(fields("AgentRegisterRequest")).containsExactly("key", "hostname", "csr", "agentVersion");
        assertThat(fields("AgentRegistration")).containsExactly("hostId", "siteId", "certificate", "caCertificate");
        assertThat(fields("Host")).containsExactly("id", "siteId", "name", "dataAddress", "status", "lastHeartbeatAt", "agentVersion",
                "registeredAt");
        assertThat(fields("Machine")).containsExactly("id", "hostId", "siteId", "name", "uuid", "powerState", "disks", "networks",
                "protection");
        assertThat(fields("MachineDisk")).containsExactly("target", "path", "format", "capacityBytes");
        assertThat(fields("MachineProtection")).containsExactly("protectedMachineId", "state", "health", "rpoSeconds");
        assertThat(fields("Policy")).containsExactly("id", "name", "copyFrequencySeconds", "retentionSeconds",
                "appConsistentFrequencySeconds", "compression", "compressionLevel", "encryption", "bandwidthLimitBytesPerSecond",
                "rpoThresholdSeconds", "createdAt", "updatedAt");
        assertThat(fields("PolicyInput")).containsExactlyElementsOf(fields("Policy").stream()
                .filter(f -> !Set.of("id", "createdAt", "updatedAt").contains(f)).toList());
        assertThat(fields("Pairing")).containsExactly("id", "name", "primarySiteId", "recoverySiteId", "policyId", "recoveryHostId",
                "repositoryName", "networkMapping", "encrypted", "createdAt");
        assertThat(fields("ProtectedMachine")).containsExactly("id", "machineId", "machineName", "hostId", "pairingId", "state",
                "testFailover", "direction", "activeDomain", "health", "healthReason", "rpoSeconds", "latestPointId", "latestPointAt",
                "lastError", "replication", "createdAt");
        assertThat(fields("Replication")).containsExactly("phase", "mode", "bytesDone", "bytesTotal", "percent", "etaSeconds",
                "lastCycleAt", "lastCycleSeconds");
        assertThat(fields("RecoveryPoint")).containsExactly("id", "protectedMachineId", "createdAt", "consistency", "mode", "parentId",
                "bytesRead", "bytesStored", "state");
        assertThat(fields("Job")).containsExactly("id", "type", "targetId", "targetName", "state", "step", "steps", "progress", "error",
                "requestedBy", "createdAt", "startedAt", "endedAt", "cancellable");
        assertThat(fields("JobStep")).containsExactly("name", "state", "startedAt", "endedAt", "message");
        assertThat(fields("Alert")).containsExactly("id", "kind", "severity", "objectKind", "objectId", "message", "hint", "raisedAt",
                "clearedAt");
        assertThat(fields("AuditEntry")).containsExactly("seq", "at", "actor", "role", "action", "target", "outcome", "status", "detail");
        assertThat(fields("HealthStatus")).containsExactly("status", "database", "version");
        assertThat(enumOf("ProtectionState")).containsExactly("UNPROTECTED", "ENABLING", "INITIAL_REPLICATION", "PROTECTED",
                "RESYNC_REQUIRED", "RESYNCING", "FAILING_OVER", "FAILED_OVER", "COMMITTED", "REPROTECTING");
        assertThat(enumOf("JobState")).containsExactly("QUEUED", "RUNNING", "SUCCEEDED", "FAILED", "CANCELLING", "CANCELLED");
    }

    @Test
    void policyLimitsAreTheAgreedOnes() {
        JsonNode p = root.at("/components/schemas/PolicyInput/properties");
        assertThat(p.at("/copyFrequencySeconds/minimum").asInt()).isEqualTo(15);
        assertThat(p.at("/copyFrequencySeconds/maximum").asInt()).isEqualTo(86400);
        assertThat(p.at("/copyFrequencySeconds/default").asInt()).isEqualTo(300);
        assertThat(p.at("/retentionSeconds/maximum").asInt()).isEqualTo(7776000);
        assertThat(p.at("/retentionSeconds/default").asInt()).isEqualTo(86400);
        assertThat(p.at("/compressionLevel/maximum").asInt()).isEqualTo(19);
        assertThat(root.at("/components/schemas/RegistrationKeyCreate/properties/ttlSeconds/maximum").asInt()).isEqualTo(604800);
        assertThat(root.at("/components/schemas/PolicyInput/required/0").asString()).isEqualTo("name");
        assertThat(root.at("/components/schemas/PolicyInput/required").size()).isEqualTo(1);
    }

    private static Map<String, JsonNode> operations() {
        Map<String, JsonNode> ops = new java.util.LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> path : root.get("paths").properties()) {
            for (Map.Entry<String, JsonNode> m : path.getValue().properties()) {
                if (METHODS.contains(m.getKey())) {
                    ops.put(m.getKey().toUpperCase(java.util.Locale.ROOT) + " " + path.getKey(), m.getValue());
                }
            }
        }
        return ops;
    }

    private static Set<String> params(JsonNode op) {
        Set<String> names = new LinkedHashSet<>();
        for (JsonNode p : op.path("parameters")) {
            JsonNode resolved = p.has("$ref") ? root.at(p.get("$ref").asString().substring(1)) : p;
            names.add(resolved.path("name").asString());
        }
        return names;
    }

    private static List<String> fields(String schema) {
        JsonNode props = root.at("/components/schemas/" + schema + "/properties");
        assertThat(props.isObject()).as("schema %s has properties", schema).isTrue();
        List<String> names = new ArrayList<>();
        props.properties().forEach(e -> names.add(e.getKey()));
        return names;
    }

    private static List<String> enumOf(String schema) {
        List<String> values = new ArrayList<>();
        root.at("/components/schemas/" + schema + "/enum").forEach(v -> values.add(v.asString()));
        return values;
    }

    private static void collectRefs(JsonNode n, List<String> refs) {
        if (n.isObject()) {
            for (Map.Entry<String, JsonNode> e : n.properties()) {
                if (e.getKey().equals("$ref") && e.getValue().isString()) {
                    refs.add(e.getValue().asString());
                } else {
                    collectRefs(e.getValue(), refs);
                }
            }
        } else if (n.isArray()) {
            n.forEach(c -> collectRefs(c, refs));
        }
    }
}
