package io.ferry.agent;

import tools.jackson.core.type.TypeReference;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What the agent created for one recovery VM, kept across restarts: enough to serve its export
 * again and to remove every piece of it.
 *
 * @param overlays disk target → qcow2 overlay
 * @param socket the NBD socket the overlays read their backing data from
 * @param createdNetwork the isolated network made for it (removed with it), or null
 * @param independent every disk pulled into its overlay: the export is no longer needed
 */
record RecoveryVmRecord(String id, String kind, String domain, String repository, String pointId,
                        Map<String, Path> overlays, Path socket, Path console, String createdNetwork, boolean independent) {
    RecoveryVmRecord withIndependent(boolean v) {
        return new RecoveryVmRecord(id, kind, domain, repository, pointId, overlays, socket, console, createdNetwork, v);
    }

    static List<RecoveryVmRecord> load(Path file) {
        if (!Files.exists(file)) return List.of();
        try {
            return Json.MAPPER.readValue(Files.readString(file), new TypeReference<List<RecoveryVmRecord>>() {});
        } catch (IOException | RuntimeException e) {
            throw new AgentException("cannot read the recovery VMs this agent made from " + file + ": " + e.getMessage(),
                    "fix or move the file; it lists domains, overlays and networks to remove");
        }
    }

    static void save(Path file, List<RecoveryVmRecord> all) throws IOException {
        PrivateFiles.write(file, Json.MAPPER.writeValueAsString(all).getBytes(StandardCharsets.UTF_8));
    }
}
