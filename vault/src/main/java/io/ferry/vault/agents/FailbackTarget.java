package io.ferry.vault.agents;

import io.ferry.vault.store.Job;
import io.ferry.vault.store.Machine;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Where a FAILBACK job brings the machine (its parameters, docs/operations.md "Reprotect and
 * failback"): the machine's own domain on its own host (in place, the default), or a domain on
 * another host of the primary site, which Ferry creates there if it does not exist.
 *
 * @param full full download (every chunk) instead of delta
 */
public record FailbackTarget(String hostId, String domain, boolean full) {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    public static FailbackTarget of(Job failback, Machine m) {
        JsonNode p = JSON.readTree(failback.params());
        String host = p.path("hostId").asString(null);
        String domain = p.path("domainName").asString(null);
        return new FailbackTarget(host == null ? m.hostId() : host, domain == null ? m.name() : domain,
                "full".equals(p.path("sync").asString("delta")));
    }

    /** Into the machine's own domain on its own host (the reverse repository is local there). */
    public boolean inPlace(Machine m) {
        return hostId.equals(m.hostId()) && domain.equals(m.name());
    }
}
