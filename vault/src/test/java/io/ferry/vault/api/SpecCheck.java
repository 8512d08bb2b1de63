package io.ferry.vault.api;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.model.SimpleResponse;
import com.atlassian.oai.validator.report.ValidationReport;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Checks a response of the vault against {@code openapi.yaml} (the document the vault serves,
 * from the main resources): the status must be one the operation documents, and a JSON body
 * must match the documented schema. A mismatch is a failed assertion naming the operation, the
 * status and what differs.
 */
final class SpecCheck {
    static final String SPEC = load();
    private static final OpenApiInteractionValidator VALIDATOR = OpenApiInteractionValidator
            .createForInlineApiSpecification(SPEC)
            .withBasePathOverride(Http.API)
            .build();

    private SpecCheck() {}

    /** Problems of one response, empty if it matches the document. */
    static List<String> problems(String method, String path, int status, String contentType, String body) {
        SimpleResponse.Builder r = SimpleResponse.Builder.status(status);
        if (contentType != null) r.withContentType(contentType);
        if (body != null && !body.isEmpty()) r.withBody(body);
        ValidationReport report = VALIDATOR.validateResponse(path, Request.Method.valueOf(method.toUpperCase(Locale.ROOT)), r.build());
        return report.getMessages().stream()
                .filter(m -> m.getLevel() == ValidationReport.Level.ERROR)
                .map(m -> m.getKey() + ": " + m.getMessage()
                        + m.getAdditionalInfo().stream().map(s -> " [" + s + "]").collect(Collectors.joining()))
                .toList();
    }

    /** Fails unless the response matches the document. */
    static void verify(String method, String path, int status, String contentType, String body) {
        List<String> p = problems(method, path, status, contentType, body);
        if (!p.isEmpty()) {
            throw new AssertionError("the response to " + method + " " + path + " (" + status + ") does not match openapi.yaml:\n  "
                    + String.join("\n  ", p) + "\nbody: " + abbreviate(body));
        }
    }

    private static String abbreviate(String s) {
        return s == null ? "null" : s.length() > 2000 ? s.substring(0, 2000) + "…" : s;
    }

    private static String load() {
        try (InputStream in = SpecCheck.class.getResourceAsStream("/openapi.yaml")) {
            if (in == null) throw new IllegalStateException("openapi.yaml is not on the test class path");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
