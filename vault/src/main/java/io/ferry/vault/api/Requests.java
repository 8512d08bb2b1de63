package io.ferry.vault.api;

import io.javalin.http.Context;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;
import tools.jackson.databind.json.JsonMapper;

/** Reading and checking request input; every failure is a 400 naming the field. */
final class Requests {
    private Requests() {}

    static <T> T body(Context ctx, JsonMapper json, Class<T> type) {
        String text = ctx.body();
        if (text == null || text.isBlank()) {
            throw ApiException.invalid(ctx.method() + " " + ctx.path() + " needs a JSON body", "see /api/v1/openapi.yaml");
        }
        try {
            T value = json.readValue(text, type);
            if (value == null) throw ApiException.invalid("the JSON body is null", "see /api/v1/openapi.yaml");
            return value;
        } catch (UnrecognizedPropertyException e) {
            throw ApiException.invalid("unknown field '" + e.getPropertyName() + "' in the body of " + ctx.method() + " "
                    + ctx.path(), "see /api/v1/openapi.yaml for the fields");
        } catch (JacksonException e) {
            throw ApiException.invalid("malformed JSON in the body of " + ctx.method() + " " + ctx.path() + ": "
                    + e.getOriginalMessage(), "send a JSON object as described in /api/v1/openapi.yaml");
        }
    }

    static String required(String value, String field) {
        if (value == null || value.isBlank()) throw ApiException.invalid("field '" + field + "' is required", null);
        return value;
    }

    static String name(String value, String field) {
        required(value, field);
        if (!value.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,62}")) {
            throw ApiException.invalid("field '" + field + "' must be 1-63 letters, digits, '.', '_' or '-' starting with a"
                    + " letter or digit, got '" + value + "'", null);
        }
        return value;
    }

    static int range(Integer value, int dflt, int min, int max, String field) {
        int v = value == null ? dflt : value;
        if (v < min || v > max) {
            throw ApiException.invalid("field '" + field + "' must be between " + min + " and " + max + ", got " + v, null);
        }
        return v;
    }

    static int limit(Context ctx) {
        String s = ctx.queryParam("limit");
        if (s == null) return 100;
        try {
            int v = Integer.parseInt(s);
            if (v < 1 || v > 500) throw new NumberFormatException();
            return v;
        } catch (NumberFormatException e) {
            throw ApiException.invalid("query parameter 'limit' must be 1..500, got '" + s + "'", null);
        }
    }
}
