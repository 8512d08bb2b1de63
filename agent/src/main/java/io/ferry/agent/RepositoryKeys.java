package io.ferry.agent;

import io.ferry.repository.KeySource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;

/** Repository keys the vault hands out, kept as 32-byte key files (0600) under {@code keys/}. */
final class RepositoryKeys {
    private final Path dir;

    RepositoryKeys(Path stateDir) {
        this.dir = stateDir.resolve("keys");
    }

    /** The key of a repository this agent keeps: an existing, different key file is never replaced. */
    KeySource kept(String repository, String base64Key) throws IOException {
        return keySource(repository, base64Key, false);
    }

    /** The key of a repository this agent writes into on {@code recoveryHostId}. */
    KeySource remote(String repository, String recoveryHostId, String base64Key) throws IOException {
        return keySource(repository + "@" + recoveryHostId, base64Key, true);
    }

    KeySource keySource(String name, String base64Key, boolean replace) throws IOException {
        if (base64Key == null || base64Key.isBlank()) return new KeySource.None();
        byte[] key = Base64.getDecoder().decode(base64Key);
        Files.createDirectories(dir);
        Path file = dir.resolve(name + ".key");
        if (Files.exists(file) && !replace && !Arrays.equals(Files.readAllBytes(file), key)) {
            throw new io.ferry.repository.RepositoryException("the vault sent a key for repository " + name
                    + " that differs from the key it was created with (" + file + ")",
                    "the repository belongs to an earlier pairing; give the new pairing another repository name,"
                    + " or move the old repository and its key away if it is no longer needed");
        }
        if (!Files.exists(file) || !Arrays.equals(Files.readAllBytes(file), key)) {
            PrivateFiles.write(file, key);
        }
        return new KeySource.KeyFile(file);
    }
}
