package io.ferry.cli.remote;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tools.jackson.databind.JsonNode;

import java.util.List;
import java.util.Locale;

/** {@code ferry protected}: protected machines with their state, health, RPO and replication progress. */
@Command(name = "protected", mixinStandardHelpOptions = true, description = "List protected machines: state, health, RPO, latest point, replication.")
public final class ProtectedCommand extends RemoteCommand {
    @Option(names = "--pairing", paramLabel = "PAIRING", description = "Only machines of this pairing (name or id).")
    String pairing;
    @Option(names = "--state", paramLabel = "STATE", description = "Only machines in this state, e.g. PROTECTED.")
    String state;
    @Option(names = "--health", paramLabel = "HEALTH", description = "Only machines of this health: HEALTHY, WARNING, CRITICAL, UNKNOWN.")
    String health;

    @Override
    int execute() {
        String pairingId = pairing == null ? null : Json.text(resolver().pairing(pairing), "id");
        List<JsonNode> pms = client().list("/protected-machines", query("pairingId", pairingId,
                "state", upper(state), "health", upper(health)));
        if (json()) {
            Json.print(out(), pms);
            return 0;
        }
        Table t = new Table("name", "state", "health", "rpo", "latest-point", "progress");
        for (JsonNode pm : pms) {
            String st = Json.text(pm, "state");
            String test = Json.text(pm, "testFailover");
            if (test != null && !test.equals("NONE")) {
                st += " (test " + test + ")";
            }
            Double rpo = Json.number(pm, "rpoSeconds");
            t.row(Json.text(pm, "machineName"), st, Json.text(pm, "health"), rpo == null ? null : Units.duration(Math.round(rpo)),
                    age(Json.text(pm, "latestPointAt")), progress(Json.object(pm, "replication")));
        }
        t.print(out());
        return 0;
    }

    static String upper(String s) {
        return s == null ? null : s.toUpperCase(Locale.ROOT).replace('-', '_');
    }

    /** The replication cycle in a few words: {@code 45% of 2.0 GiB, full}, {@code idle}, {@code error}. */
    static String progress(JsonNode r) {
        if (r == null) {
            return null;
        }
        String phase = Json.text(r, "phase");
        if ("CAPTURING".equals(phase)) {
            Double pct = Json.number(r, "percent");
            String mode = Json.text(r, "mode");
            StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%.0f%%", pct == null ? 0.0 : pct));
            long total = Json.longValue(r, "bytesTotal", 0);
            if (total > 0) {
                sb.append(" of ").append(Units.bytes(total));
            }
            if (mode != null) {
                sb.append(", ").append(mode.toLowerCase(Locale.ROOT));
            }
            long eta = Json.longValue(r, "etaSeconds", -1);
            if (eta >= 0) {
                sb.append(", eta ").append(Units.duration(eta));
            }
            return sb.toString();
        }
        return phase == null ? null : phase.toLowerCase(Locale.ROOT);
    }
}
