package io.ferry.repository;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** The JSON content of a point manifest (docs/formats.md §6). */
final class PointManifestCodec {
  static final int FORMAT_VERSION = 1;
  private static final JsonMapper JSON = RepositoryConfigCodec.JSON;

  private PointManifestCodec() {}

  static byte[] encode(PointManifest m) {
    ObjectNode root = JSON.createObjectNode();
    root.put("ferryPoint", FORMAT_VERSION);
    root.put("id", m.id());
    root.put("machine", m.machine());
    root.put("createdAt", m.createdAt().toString());
    root.put("consistency", m.consistency().name());
    if (m.parentId() == null) root.putNull("parentId");
    else root.put("parentId", m.parentId());
    ArrayNode disks = root.putArray("disks");
    for (DiskRef d : m.disks()) {
      ObjectNode dn = disks.addObject();
      dn.put("name", d.name());
      dn.put("size", d.size());
      ObjectNode ix = dn.putObject("index");
      ix.put("root", d.index().root().hex());
      ix.put("depth", d.index().depth());
      ix.put("diskSize", d.index().diskSize());
    }
    ObjectNode attrs = root.putObject("attributes");
    new java.util.TreeMap<>(m.attributes()).forEach(attrs::put);
    return JSON.writeValueAsString(root).getBytes(StandardCharsets.UTF_8);
  }

  /** Parses the manifest stored at {@code key} for point {@code pointId}. */
  static PointManifest decode(byte[] content, String pointId, String key, String repository) throws CorruptBlobException {
    try {
      JsonNode root = JSON.readTree(content);
      if (root == null || !root.isObject()) throw bad("manifest is not a JSON object");
      int version = root.path("ferryPoint").asInt(-1);
      if (version != FORMAT_VERSION) throw bad("manifest format " + version + " (this Ferry reads " + FORMAT_VERSION + ")");
      String id = root.path("id").asString("");
      if (!id.equals(pointId)) throw bad("manifest says id '" + id + "' but is stored as point " + pointId);
      String machine = root.path("machine").asString("");
      Instant created = Instant.parse(root.path("createdAt").asString(""));
      Consistency consistency = Consistency.valueOf(root.path("consistency").asString(""));
      JsonNode p = root.path("parentId");
      String parentId = p.isString() ? p.asString() : null;
      List<DiskRef> disks = new ArrayList<>();
      for (JsonNode dn : root.path("disks")) {
        JsonNode ix = dn.path("index");
        IndexRef ref = new IndexRef(ChunkId.fromHex(ix.path("root").asString("")), ix.path("depth").asInt(0), ix.path("diskSize").asLong(-1));
        disks.add(new DiskRef(dn.path("name").asString(""), dn.path("size").asLong(-1), ref));
      }
      Map<String, String> attributes = new LinkedHashMap<>();
      for (Map.Entry<String, JsonNode> e : root.path("attributes").properties()) attributes.put(e.getKey(), e.getValue().asString(""));
      return new PointManifest(id, machine, created, consistency, parentId, disks, attributes);
    } catch (JacksonException e) {
      throw new CorruptBlobException(repository, key, "manifest is not valid JSON: " + e.getOriginalMessage(), BlobFrameReader.CORRUPT_HINT);
    } catch (IllegalArgumentException | DateTimeParseException e) {
      throw new CorruptBlobException(repository, key, "manifest is invalid: " + e.getMessage(), BlobFrameReader.CORRUPT_HINT);
    }
  }

  private static IllegalArgumentException bad(String why) {
    return new IllegalArgumentException(why);
  }
}
