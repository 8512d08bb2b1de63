package io.ferry.repository;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/** Reads and writes the {@code config} blob (docs/formats.md §5). */
final class RepositoryConfigCodec {
  static final int FORMAT_VERSION = 1;
  static final JsonMapper JSON = JsonMapper.builder().build();

  /** The stored configuration; {@code salt} and {@code wrappedKey} are null when not encrypted, {@code salt} also for a key file. */
  record Stored(String id, Instant createdAt, int chunkSize, int indexFanout, int compressionLevel, Encryption encryption, int kdfIterations, byte[] salt, byte[] wrappedKey) {}

  private RepositoryConfigCodec() {}

  static byte[] encode(Stored s) {
    ObjectNode root = JSON.createObjectNode();
    root.put("ferryRepository", FORMAT_VERSION);
    root.put("id", s.id());
    root.put("createdAt", s.createdAt().toString());
    root.put("chunkSize", s.chunkSize());
    root.put("indexFanout", s.indexFanout());
    ObjectNode c = root.putObject("compression");
    c.put("algorithm", s.compressionLevel() == 0 ? "none" : "zstd");
    c.put("level", s.compressionLevel());
    ObjectNode e = root.putObject("encryption");
    e.put("mode", s.encryption().name().toLowerCase());
    if (s.encryption() != Encryption.NONE) {
      e.put("cipher", "AES-256-GCM");
      e.put("chunkIds", "HMAC-SHA256");
      if (s.encryption() == Encryption.PASSPHRASE) {
        ObjectNode kdf = e.putObject("kdf");
        kdf.put("algorithm", "PBKDF2WithHmacSHA256");
        kdf.put("iterations", s.kdfIterations());
        kdf.put("salt", Base64.getEncoder().encodeToString(s.salt()));
      }
      e.put("wrappedKey", Base64.getEncoder().encodeToString(s.wrappedKey()));
    }
    return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root).getBytes(StandardCharsets.UTF_8);
  }

  static Stored decode(byte[] bytes, String location) throws RepositoryException {
    JsonNode root;
    try {
      root = JSON.readTree(bytes);
    } catch (JacksonException e) {
      throw notRepository(location, "its config is not valid JSON (" + e.getOriginalMessage() + ")");
    }
    if (root == null || !root.isObject() || !root.path("ferryRepository").isIntegralNumber())
      throw notRepository(location, "its config has no \"ferryRepository\" format field");
    int version = root.path("ferryRepository").asInt();
    if (version > FORMAT_VERSION)
      throw new RepositoryException("unsupported repository format " + version + " at " + location + " (this Ferry reads format " + FORMAT_VERSION + ")", "upgrade Ferry to open this repository");
    if (version < 1) throw notRepository(location, "its config has format " + version);
    try {
      String id = text(root, "id", location);
      Instant created = Instant.parse(text(root, "createdAt", location));
      int chunkSize = integer(root, "chunkSize", location);
      int fanout = integer(root, "indexFanout", location);
      int level = root.path("compression").path("level").asInt(0);
      JsonNode enc = root.path("encryption");
      Encryption mode = switch (enc.path("mode").asString("")) {
        case "none" -> Encryption.NONE;
        case "passphrase" -> Encryption.PASSPHRASE;
        case "keyfile" -> Encryption.KEYFILE;
        default -> throw invalid(location, "encryption.mode '" + enc.path("mode").asString("") + "' is not none, passphrase or keyfile");
      };
      int iterations = RepositoryConfig.DEFAULT_KDF_ITERATIONS;
      byte[] salt = null;
      byte[] wrapped = null;
      if (mode == Encryption.PASSPHRASE) {
        iterations = enc.path("kdf").path("iterations").asInt(0);
        salt = Base64.getDecoder().decode(enc.path("kdf").path("salt").asString(""));
      }
      if (mode != Encryption.NONE) wrapped = Base64.getDecoder().decode(enc.path("wrappedKey").asString(""));
      new RepositoryConfig(chunkSize, level, mode, fanout, Math.max(iterations, 1000)); // validates ranges
      if (mode == Encryption.PASSPHRASE && (iterations < 1000 || salt.length < 8)) throw invalid(location, "encryption.kdf has bad iterations or salt");
      return new Stored(id, created, chunkSize, fanout, level, mode, iterations, salt, wrapped);
    } catch (IllegalArgumentException | DateTimeParseException e) {
      throw invalid(location, e.getMessage());
    }
  }

  private static String text(JsonNode n, String field, String location) throws RepositoryException {
    JsonNode v = n.path(field);
    if (!v.isString() || v.asString().isEmpty()) throw invalid(location, "missing field " + field);
    return v.asString();
  }

  private static int integer(JsonNode n, String field, String location) throws RepositoryException {
    JsonNode v = n.path(field);
    if (!v.isIntegralNumber() || !v.canConvertToInt()) throw invalid(location, "missing or non-integer field " + field);
    return v.asInt();
  }

  static RepositoryException notRepository(String location, String why) {
    return new RepositoryException("not a Ferry repository: " + location + " — " + why, "check the path or bucket; create a repository with `ferry repo init`");
  }

  private static RepositoryException invalid(String location, String why) {
    return new RepositoryException("invalid repository config at " + location + ": " + why, "the config blob was damaged or edited by hand; restore it from a copy");
  }
}
