package io.ferry.cli.remote;

import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.time.Instant;

/** JSON objects shaped as openapi.yaml says, for the fake vault's answers. */
final class Canned {
    /** The tests' clock. */
    static final Instant NOW = Instant.parse("2025-06-01T12:00:00Z");

    private Canned() { }

    /** JSON written with single quotes, for brevity, unless it already uses double quotes. */
    static String q(String json) {
        return json.contains("\"") ? json : json.replace('\'', '"');
    }

    static String ago(long seconds) {
        return NOW.minusSeconds(seconds).toString();
    }

    static ObjectNode obj() {
        return Json.MAPPER.createObjectNode();
    }

    static String page(String next, String... items) {
        ObjectNode n = obj();
        ArrayNode a = n.putArray("items");
        for (String i : items) {
            a.add(Json.MAPPER.readTree(q(i)));
        }
        n.put("next", next);
        return n.toString();
    }

    static String error(String code, String message, String hint) {
        ObjectNode n = obj();
        n.put("code", code);
        n.put("message", message);
        n.put("hint", hint);
        return n.toString();
    }

    static String site(String id, String name) {
        ObjectNode n = obj();
        n.put("id", id);
        n.put("name", name);
        n.putNull("description");
        n.put("createdAt", ago(86_400));
        return n.toString();
    }

    static String host(String id, String siteId, String name, String status, Long heartbeatSecondsAgo) {
        ObjectNode n = obj();
        n.put("id", id);
        n.put("siteId", siteId);
        n.put("name", name);
        n.put("dataAddress", name + ":9443");
        n.put("status", status);
        n.put("lastHeartbeatAt", heartbeatSecondsAgo == null ? null : ago(heartbeatSecondsAgo));
        n.put("agentVersion", "0.1.0");
        n.put("registeredAt", ago(7200));
        return n.toString();
    }

    static String machine(String id, String hostId, String siteId, String name, String protectedMachineId) {
        ObjectNode n = obj();
        n.put("id", id);
        n.put("hostId", hostId);
        n.put("siteId", siteId);
        n.put("name", name);
        n.put("uuid", "6f1c7a2e-0000-4000-8000-" + String.format("%012d", Math.abs(id.hashCode())));
        n.put("powerState", "RUNNING");
        ArrayNode disks = n.putArray("disks");
        ObjectNode d = disks.addObject();
        d.put("target", "vda");
        d.put("path", "/var/lib/libvirt/images/" + name + ".qcow2");
        d.put("format", "qcow2");
        d.put("capacityBytes", 10L << 30);
        ObjectNode net = n.putArray("networks").addObject();
        net.put("network", "default");
        net.put("mac", "52:54:00:12:34:56");
        if (protectedMachineId == null) {
            n.putNull("protection");
        } else {
            ObjectNode p = n.putObject("protection");
            p.put("protectedMachineId", protectedMachineId);
            p.put("state", "PROTECTED");
            p.put("health", "HEALTHY");
            p.put("rpoSeconds", 14.2);
        }
        return n.toString();
    }

    static String policy(String id, String name) {
        ObjectNode n = obj();
        n.put("id", id);
        n.put("name", name);
        n.put("copyFrequencySeconds", 300);
        n.put("retentionSeconds", 86_400);
        n.put("appConsistentFrequencySeconds", 0);
        n.put("compression", "zstd");
        n.put("compressionLevel", 1);
        n.put("encryption", false);
        n.put("bandwidthLimitBytesPerSecond", 0);
        n.put("rpoThresholdSeconds", 600);
        n.put("createdAt", ago(3600));
        n.put("updatedAt", ago(3600));
        return n.toString();
    }

    static String pairing(String id, String name, String primarySiteId, String recoverySiteId, String policyId, String recoveryHostId) {
        ObjectNode n = obj();
        n.put("id", id);
        n.put("name", name);
        n.put("primarySiteId", primarySiteId);
        n.put("recoverySiteId", recoverySiteId);
        n.put("policyId", policyId);
        n.put("recoveryHostId", recoveryHostId);
        n.put("repositoryName", name);
        n.putObject("networkMapping");
        n.put("encrypted", false);
        n.put("createdAt", ago(3600));
        return n.toString();
    }

    static ObjectNode protectedMachine(String id, String machineId, String name, String hostId, String state, String health,
                                       Double rpoSeconds, Long latestPointSecondsAgo) {
        ObjectNode n = obj();
        n.put("id", id);
        n.put("machineId", machineId);
        n.put("machineName", name);
        n.put("hostId", hostId);
        n.put("pairingId", "pair-1");
        n.put("state", state);
        n.put("testFailover", "NONE");
        n.put("health", health);
        n.putNull("healthReason");
        n.put("rpoSeconds", rpoSeconds);
        n.put("latestPointId", latestPointSecondsAgo == null ? null : "pt-" + id);
        n.put("latestPointAt", latestPointSecondsAgo == null ? null : ago(latestPointSecondsAgo));
        n.putNull("lastError");
        ObjectNode r = n.putObject("replication");
        r.put("phase", "IDLE");
        r.put("mode", "INCREMENTAL");
        r.put("bytesDone", 0);
        r.put("bytesTotal", 0);
        r.put("percent", 0);
        r.putNull("etaSeconds");
        r.put("lastCycleAt", ago(10));
        r.put("lastCycleSeconds", 1.5);
        n.put("createdAt", ago(86_400));
        return n;
    }

    static ObjectNode job(String id, String state, String step, Long bytesDone, Long bytesTotal) {
        ObjectNode n = obj();
        n.put("id", id);
        n.put("type", "ENABLE_PROTECTION");
        n.put("targetId", "pm-1");
        n.put("targetName", "web-1");
        n.put("state", state);
        n.put("step", step);
        ArrayNode steps = n.putArray("steps");
        for (String s : new String[] {"prepare-tracking", "initial-replication", "finish"}) {
            ObjectNode st = steps.addObject();
            st.put("name", s);
            st.put("state", "PENDING");
            st.putNull("startedAt");
            st.putNull("endedAt");
            st.putNull("message");
        }
        if (bytesTotal == null) {
            n.putNull("progress");
        } else {
            ObjectNode p = n.putObject("progress");
            p.put("bytesDone", bytesDone);
            p.put("bytesTotal", bytesTotal);
            p.put("percent", bytesTotal == 0 ? 0.0 : 100.0 * bytesDone / bytesTotal);
            p.put("etaSeconds", 30);
        }
        n.putNull("error");
        n.put("requestedBy", "admin");
        n.put("createdAt", ago(120));
        n.put("startedAt", ago(119));
        boolean ended = JobWatcher.ENDED.contains(state);
        n.put("endedAt", ended ? NOW.toString() : null);
        n.put("cancellable", !ended);
        return n;
    }
}
