package io.ferry.cli.remote;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

import java.io.PrintWriter;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/** Reading fields of the vault's JSON answers, tolerant of missing and null fields, and printing JSON. */
final class Json {
    static final JsonMapper MAPPER = JsonMapper.builder().build();
    private static final JsonMapper PRETTY = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

    private Json() { }

    /** The field as text, or null if it is missing or null. */
    static String text(JsonNode n, String field) {
        if (n == null) {
            return null;
        }
        JsonNode v = n.get(field);
        if (v == null || v.isNull() || v.isMissingNode()) {
            return null;
        }
        return v.isValueNode() ? v.asString() : v.toString();
    }

    /** The field as a number, or null if it is missing, null or not a number. */
    static Double number(JsonNode n, String field) {
        JsonNode v = n == null ? null : n.get(field);
        return v != null && v.isNumber() ? v.asDouble() : null;
    }

    static long longValue(JsonNode n, String field, long orElse) {
        JsonNode v = n == null ? null : n.get(field);
        return v != null && v.isNumber() ? v.asLong() : orElse;
    }

    static boolean bool(JsonNode n, String field) {
        JsonNode v = n == null ? null : n.get(field);
        return v != null && v.isBoolean() && v.asBoolean();
    }

    /** The field as an object, or null if it is missing, null or not an object. */
    static JsonNode object(JsonNode n, String field) {
        JsonNode v = n == null ? null : n.get(field);
        return v != null && v.isObject() ? v : null;
    }

    /** An RFC 3339 time field, or null if missing or unreadable. */
    static Instant time(JsonNode n, String field) {
        return parseTime(text(n, field));
    }

    /** An RFC 3339 time, or null if absent or unreadable. */
    static Instant parseTime(String s) {
        if (s == null) {
            return null;
        }
        try {
            return OffsetDateTime.parse(s).toInstant();
        } catch (DateTimeParseException e) {
            try {
                return Instant.parse(s);
            } catch (DateTimeParseException e2) {
                return null;
            }
        }
    }

    static void print(PrintWriter out, Object value) {
        out.println(PRETTY.writeValueAsString(value));
        out.flush();
    }
}
