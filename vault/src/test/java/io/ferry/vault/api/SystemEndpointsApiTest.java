package io.ferry.vault.api;

import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** /api/v1/health, /api/v1/openapi.yaml and /metrics: no token needed. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SystemEndpointsApiTest extends VaultApiTest {

    @Test
    void healthAnswersWithoutAToken() {
        Http.Reply r = http.get(Http.API + "/health", null);

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.json().get("status").asString()).isEqualTo("ok");
        assertThat(r.json().get("database").asString()).isEqualTo("sqlite");
        assertThat(r.json().get("version").asString()).isNotBlank();
    }

    @Test
    void theOpenApiDocumentIsServedWithoutAToken() {
        Http.Reply r = http.get(Http.API + "/openapi.yaml", null);

        assertThat(r.status()).isEqualTo(200);
        assertThat(r.contentType()).startsWith("application/yaml");
        assertThat(r.body()).isEqualTo(SpecCheck.SPEC);
        assertThat(r.body()).startsWith("openapi: 3.1").contains("operationId: enableProtection");
    }

    @Test
    void metricsAreInPrometheusTextFormat() {
        String site = createSite("metrics-site").get("id").asString();
        String other = createSite("metrics-other").get("id").asString();
        FakeAgent src = agent(site, "kvm-metrics");
        src.domains = List.of(FakeAgent.domain("vm-metrics"));
        src.heartbeat();
        FakeAgent rec = agent(other, "kvm-metrics-rec");
        String policy = createPolicy(admin, "metrics-policy").get("id").asString();
        String pairing = createPairing("metrics-pairing", site, other, policy, rec.hostId).get("id").asString();
        assertThat(gauge(scrape(), "ferry_protected_machines")).isEqualTo(0.0);

        Http.Reply p = http.post(Http.API + "/protected-machines", admin,
                Map.of("machineId", machineId(src.hostId, "vm-metrics"), "pairingId", pairing));
        assertThat(p.status()).isEqualTo(202);

        String text = scrape();
        assertThat(gauge(text, "ferry_protected_machines")).isEqualTo(1.0);
        assertThat(gauge(text, "ferry_active_jobs")).isEqualTo(1.0);
        assertThat(text).contains("# TYPE ferry_protected_machines gauge").contains("ferry_api_requests");
    }

    @Test
    @Order(Integer.MAX_VALUE) // last: it closes the vault's database
    void healthIsUnavailableWithoutTheDatabase() {
        vault.store().close();

        Http.Reply r = http.get(Http.API + "/health", null);

        assertThat(r.status()).as("%s", r).isEqualTo(503);
        assertThat(r.code()).isEqualTo("UNAVAILABLE");
        assertThat(r.message()).contains("database");
    }

    private String scrape() {
        Http.Reply r = http.get("/metrics", null);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.contentType()).startsWith("text/plain");
        return r.body();
    }

    private static double gauge(String text, String name) {
        Matcher m = Pattern.compile("(?m)^" + name + "(\\{[^}]*})? ([0-9.eE+-]+)$").matcher(text);
        assertThat(m.find()).as("%s in\n%s", name, text).isTrue();
        return Double.parseDouble(m.group(2));
    }
}
