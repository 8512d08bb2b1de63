package io.ferry.cli.remote;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import tools.jackson.databind.JsonNode;

import java.util.LinkedHashMap;
import java.util.Map;

/** {@code ferry registration-key SITE}: a one-time key with which a host's agent joins a site. */
@Command(name = "registration-key", mixinStandardHelpOptions = true,
        description = {"Create a one-time key for an agent to join SITE (ADMIN).",
                "Prints the key, the vault's CA fingerprint and the `ferry agent` command to run on the host."})
public final class RegistrationKeyCommand extends RemoteCommand {
    @Parameters(index = "0", paramLabel = "SITE", description = "Site name or id.")
    String site;
    @Option(names = "--ttl", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "How long the key is valid, 1m to 7d (default: 24h).")
    Long ttl;

    @Override
    int execute() {
        if (ttl != null && (ttl < 60 || ttl > 604_800)) {
            throw usage("--ttl must be from 1m to 7d, not " + Units.duration(ttl));
        }
        JsonNode s = resolver().site(site);
        Map<String, Object> body = new LinkedHashMap<>();
        if (ttl != null) {
            body.put("ttlSeconds", ttl);
        }
        JsonNode k = client().post("/sites/" + VaultClient.seg(Json.text(s, "id")) + "/registration-keys", body);
        if (json()) {
            Json.print(out(), k);
            return 0;
        }
        String key = Json.text(k, "key");
        String fp = Json.text(k, "caFingerprint");
        String vaultUrl = Json.text(k, "vaultUrl") != null ? Json.text(k, "vaultUrl") : client().vault().toString();
        String expires = Json.text(k, "expiresAt");
        out().printf("registration key for site %s (one use, expires %s, at %s):%n", Json.text(s, "name"), age(expires), expires);
        out().printf("  %s%n", key);
        out().printf("vault CA fingerprint (SHA-256): %s%n", fp);
        out().println();
        out().println("On the KVM host to add, run:");
        out().printf("  ferry agent --vault %s --key %s --ca-fingerprint %s%n", shell(vaultUrl), shell(key), shell(fp));
        out().flush();
        return 0;
    }

    /** The word quoted for a POSIX shell if it needs it. */
    static String shell(String word) {
        if (word == null) {
            return "''";
        }
        if (word.matches("[A-Za-z0-9_@%+=:,./-]+")) {
            return word;
        }
        return "'" + word.replace("'", "'\\''") + "'";
    }
}
