package io.ferry.protocol;

import java.util.List;

/**
 * Keep a repository on this recovery agent.
 *
 * @param writers host ids (certificate common names) allowed to write into it
 * @param compressionLevel zstd level when it is created (0 = none)
 * @param encryptionKey base64 key when it is encrypted, else null
 * @param deletePoints point ids to delete (retention)
 * @param purgeMachines machines whose every point is to be deleted (protection disabled with its points)
 * @param gcGraceSeconds unreferenced blobs younger than this survive a sweep
 * @param readers host ids allowed to read it only (get, exists, list): a failback's alternate host
 */
public record RepositoryAssignment(String name, List<String> writers, int compressionLevel, String encryptionKey,
                                   List<String> deletePoints, List<String> purgeMachines,
                                   long gcGraceSeconds, List<String> readers) {
    public RepositoryAssignment {
        writers = writers == null ? List.of() : List.copyOf(writers);
        readers = readers == null ? List.of() : List.copyOf(readers);
        deletePoints = deletePoints == null ? List.of() : List.copyOf(deletePoints);
        purgeMachines = purgeMachines == null ? List.of() : List.copyOf(purgeMachines);
    }
}
