package io.ferry.protocol;

import java.util.List;

/**
 * A repository kept by a recovery agent.
 *
 * @param ready initialised and accepting writers
 * @param deletedPoints points deleted on the vault's request (so the vault can mark them deleted)
 * @param purgedMachines machines whose points are all gone (after purgeMachines)
 * @param chunks chunks stored; {@code bytesStored} their bytes on disk
 */
public record RepositoryReport(String name, boolean ready, List<String> deletedPoints, List<String> purgedMachines, long chunks, long bytesStored,
                               ErrorInfo error) {
    public RepositoryReport {
        deletedPoints = deletedPoints == null ? List.of() : List.copyOf(deletedPoints);
        purgedMachines = purgedMachines == null ? List.of() : List.copyOf(purgedMachines);
    }
}
