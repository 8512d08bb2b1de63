package io.ferry.vault.api;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The check against openapi.yaml finds what it should: otherwise the API tests would prove nothing about the spec. */
class SpecCheckTest {
    private static final String JSON = "application/json";

    @Test
    void aMatchingBodyPasses() {
        assertThat(SpecCheck.problems("GET", "/api/v1/sites", 200, JSON,
                "{\"items\":[{\"id\":\"s1\",\"name\":\"a\",\"description\":null,\"createdAt\":\"2025-01-31T12:00:00Z\"}],\"next\":null}"))
                .isEmpty();
        assertThat(SpecCheck.problems("GET", "/api/v1/sites/s1", 404, JSON, "{\"code\":\"NOT_FOUND\",\"message\":\"m\",\"hint\":null}"))
                .isEmpty();
    }

    @Test
    void aMissingOrMistypedFieldIsFound() {
        assertThat(SpecCheck.problems("GET", "/api/v1/sites", 200, JSON, "{\"items\":[{\"id\":\"s1\",\"name\":\"a\"}],\"next\":null}"))
                .anySatisfy(p -> assertThat(p).contains("createdAt"));
        assertThat(SpecCheck.problems("GET", "/api/v1/sites", 200, JSON, "{\"items\":5,\"next\":null}")).isNotEmpty();
        assertThat(SpecCheck.problems("GET", "/api/v1/jobs/j1", 200, JSON, "{\"id\":\"j1\"}")).isNotEmpty();
    }

    @Test
    void aValueOutsideAnEnumIsFound() {
        String job = "{\"id\":\"j\",\"type\":\"REBOOT\",\"targetId\":\"t\",\"targetName\":null,\"state\":\"QUEUED\",\"step\":null,"
                + "\"steps\":[],\"progress\":null,\"error\":null,\"requestedBy\":\"a\",\"createdAt\":\"2025-01-31T12:00:00Z\","
                + "\"startedAt\":null,\"endedAt\":null,\"cancellable\":false}";
        assertThat(SpecCheck.problems("GET", "/api/v1/jobs/j", 200, JSON, job)).anySatisfy(p -> assertThat(p).contains("enum"));
        assertThat(SpecCheck.problems("GET", "/api/v1/jobs/j", 200, JSON, job.replace("REBOOT", "RESYNC"))).isEmpty();
    }

    @Test
    void anUndocumentedStatusIsFound() {
        assertThat(SpecCheck.problems("GET", "/api/v1/health", 404, JSON, "{\"code\":\"NOT_FOUND\",\"message\":\"m\",\"hint\":null}"))
                .anySatisfy(p -> assertThat(p).contains("404"));
    }

    @Test
    void anErrorBodyWithoutItsCodeIsFound() {
        assertThat(SpecCheck.problems("GET", "/api/v1/sites/s1", 404, JSON, "{\"title\":\"Not Found\",\"status\":404}")).isNotEmpty();
    }
}
