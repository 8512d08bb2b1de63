package io.ferry.agent;

import io.ferry.protocol.HeartbeatResponse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The vault's last answer, kept in {@code assignments.json} (0600: it holds repository keys) so
 * an agent restarted while the vault is unreachable resumes its work instead of idling.
 * Written only when it changes.
 */
final class LastAssignments {
    private static final System.Logger LOG = System.getLogger(LastAssignments.class.getName());
    private final Path file;
    private String saved;

    LastAssignments(Path file) {
        this.file = file;
    }

    HeartbeatResponse load() {
        if (!Files.exists(file)) return null;
        try {
            HeartbeatResponse r = Json.MAPPER.readValue(file.toFile(), HeartbeatResponse.class);
            // points acknowledged long ago mean nothing now
            return new HeartbeatResponse(r.heartbeatSeconds(), r.sources(), r.repositories(), r.cleanups(), null,
                    r.recoveryVms(), r.power(), r.seeds(), r.restores());
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "ignoring unreadable " + file + ": " + e.getMessage());
            return null;
        }
    }

    void save(HeartbeatResponse r) {
        String text = Json.MAPPER.writeValueAsString(new HeartbeatResponse(r.heartbeatSeconds(), r.sources(),
                r.repositories(), r.cleanups(), null, r.recoveryVms(), r.power(), r.seeds(), r.restores()));
        if (text.equals(saved)) return;
        try {
            PrivateFiles.write(file, text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            saved = text;
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot keep the assignments in " + file + ": " + e.getMessage());
        }
    }
}
