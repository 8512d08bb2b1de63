package io.ferry.agent;

import io.ferry.protocol.PointReport;
import tools.jackson.core.type.TypeReference;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Points committed by this agent that the vault has not acknowledged yet, per protected machine,
 * kept in {@code pending-points.json} so an agent restart does not lose a point from the vault's
 * catalogue. Written by atomic rename.
 */
final class PendingPoints {
    private final Path file;
    private final Map<String, List<PointReport>> byMachine = new LinkedHashMap<>();

    PendingPoints(Path file) {
        this.file = file;
        if (Files.exists(file)) {
            try {
                byMachine.putAll(Json.MAPPER.readValue(file.toFile(), new TypeReference<Map<String, List<PointReport>>>() {}));
            } catch (RuntimeException e) {
                System.getLogger(PendingPoints.class.getName()).log(System.Logger.Level.WARNING,
                        "ignoring unreadable " + file + " (points it held are still in the repository): " + e.getMessage());
            }
        }
    }

    synchronized void add(String protectedMachineId, PointReport p) {
        byMachine.computeIfAbsent(protectedMachineId, k -> new ArrayList<>()).add(p);
        save();
    }

    synchronized List<PointReport> of(String protectedMachineId) {
        return List.copyOf(byMachine.getOrDefault(protectedMachineId, List.of()));
    }

    synchronized Set<String> machines() {
        return new HashSet<>(byMachine.keySet());
    }

    synchronized void acknowledge(Collection<String> pointIds) {
        if (pointIds.isEmpty()) return;
        Set<String> ack = new HashSet<>(pointIds);
        boolean changed = false;
        for (List<PointReport> l : byMachine.values()) changed |= l.removeIf(p -> ack.contains(p.id()));
        changed |= byMachine.values().removeIf(List::isEmpty);
        if (changed) save();
    }

    private void save() {
        try {
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Json.MAPPER.writeValue(tmp.toFile(), byMachine);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
