package io.ferry.vault.store;

import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/** Jackson (de)serialization of the JSON columns. */
final class Json {
  private static final TypeReference<List<JobStep>> STEPS = new TypeReference<>() {};
  private final JsonMapper mapper = JsonMapper.builder().build();

  String write(Object value) {
    return value == null ? null : mapper.writeValueAsString(value);
  }

  <T> T read(String json, Class<T> type, String what) {
    if (json == null) {
      return null;
    }
    try {
      return mapper.readValue(json, type);
    } catch (JacksonException e) {
      throw unreadable(what, e);
    }
  }

  List<JobStep> readSteps(String json, String what) {
    if (json == null) {
      return List.of();
    }
    try {
      return mapper.readValue(json, STEPS);
    } catch (JacksonException e) {
      throw unreadable(what, e);
    }
  }

  /**
   * Free-form JSON text as the caller gave it, after checking that it parses; {@code what} names
   * the column and object for the error.
   */
  String checked(String json, String what) {
    if (json == null) {
      return null;
    }
    try {
      mapper.readTree(json);
      return json;
    } catch (JacksonException e) {
      throw new StoreException(what + " is not valid JSON: " + e.getOriginalMessage(),
          "pass JSON text (e.g. {} or []) serialized with Jackson");
    }
  }

  private static StoreException unreadable(String what, JacksonException e) {
    return new StoreException("cannot read " + what + " stored in the vault database: " + e.getOriginalMessage(),
        "the row was written by another version or edited by hand; fix or delete it", e);
  }
}
