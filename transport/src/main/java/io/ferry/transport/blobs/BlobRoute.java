package io.ferry.transport.blobs;

/**
 * A request target of the data channel, parsed and validated: {@code /hello}, {@code
 * /repositories/<repo>/blobs/<key>}, {@code /repositories/<repo>/list?prefix=<prefix>} or {@code
 * /repositories/<repo>/sync}. Names are never percent-encoded (keys and repository names only use
 * unreserved characters).
 */
record BlobRoute(Kind kind, String repository, String key, String prefix) {
  enum Kind { HELLO, BLOB, LIST, SYNC }

  static final String REPOSITORIES = "/repositories/";

  /** Parses {@code target}; IllegalArgumentException with a message for the 400 answer if it is not a valid target. */
  static BlobRoute parse(String target) {
    if (target.equals("/hello")) return new BlobRoute(Kind.HELLO, null, null, null);
    if (!target.startsWith(REPOSITORIES)) throw new IllegalArgumentException("unknown path '" + HttpHead.abbreviate(target) + "' (expected " + REPOSITORIES + "<repository>/…)");
    if (target.indexOf('%') >= 0) throw new IllegalArgumentException("percent-encoded path '" + HttpHead.abbreviate(target) + "': keys and repository names never need encoding");
    String rest = target.substring(REPOSITORIES.length());
    int slash = rest.indexOf('/');
    String repo = slash < 0 ? rest : rest.substring(0, slash);
    String query = null;
    int q = repo.indexOf('?');
    if (q >= 0) repo = repo.substring(0, q);
    BlobKeyRules.requireRepository(repo);
    String op = slash < 0 ? "" : rest.substring(slash + 1);
    q = op.indexOf('?');
    if (q >= 0) {
      query = op.substring(q + 1);
      op = op.substring(0, q);
    }
    if (op.startsWith("blobs/")) {
      if (query != null) throw new IllegalArgumentException("a blob path takes no query");
      return new BlobRoute(Kind.BLOB, repo, BlobKeyRules.requireKey(op.substring("blobs/".length())), null);
    }
    if (op.equals("list")) {
      String prefix = "";
      if (query != null && !query.isEmpty()) {
        if (!query.startsWith("prefix=") || query.indexOf('&') >= 0) throw new IllegalArgumentException("list takes one query parameter, prefix");
        prefix = query.substring("prefix=".length());
      }
      return new BlobRoute(Kind.LIST, repo, null, BlobKeyRules.requirePrefix(prefix));
    }
    if (op.equals("sync") && query == null) return new BlobRoute(Kind.SYNC, repo, null, null);
    throw new IllegalArgumentException("unknown operation '" + HttpHead.abbreviate(op) + "' on repository " + repo + " (blobs/<key>, list, sync)");
  }

  /** The target for this route, as a client sends it. */
  String target() {
    return switch (kind) {
      case HELLO -> "/hello";
      case BLOB -> REPOSITORIES + repository + "/blobs/" + key;
      case LIST -> REPOSITORIES + repository + "/list?prefix=" + prefix;
      case SYNC -> REPOSITORIES + repository + "/sync";
    };
  }
}
