package io.ferry.cli;

import io.ferry.repository.KeySource;
import io.ferry.repository.Repository;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Options naming a repository and its key, shared by every command that opens one. */
public final class RepoOptions {
    @Option(names = {"-r", "--repo"}, required = true, paramLabel = "DIR",
            description = "Repository directory (env FERRY_REPO).", defaultValue = "${env:FERRY_REPO}")
    Path repo;

    @Option(names = "--passphrase-file", paramLabel = "FILE",
            description = "File whose first line is the passphrase of an encrypted repository (or env FERRY_PASSPHRASE).")
    Path passphraseFile;

    @Option(names = "--key-file", paramLabel = "FILE", description = "32-byte key file of an encrypted repository.")
    Path keyFile;

    KeySource keySource() throws IOException {
        if (passphraseFile != null && keyFile != null) {
            throw new IllegalArgumentException("give either --passphrase-file or --key-file, not both");
        }
        if (keyFile != null) {
            return new KeySource.KeyFile(keyFile);
        }
        if (passphraseFile != null) {
            String line = Files.readString(passphraseFile, StandardCharsets.UTF_8).lines().findFirst().orElse("");
            if (line.isEmpty()) {
                throw new IllegalArgumentException("passphrase file " + passphraseFile + " is empty");
            }
            return new KeySource.Passphrase(line.toCharArray());
        }
        String env = System.getenv("FERRY_PASSPHRASE");
        if (env != null && !env.isEmpty()) {
            return new KeySource.Passphrase(env.toCharArray());
        }
        return new KeySource.None();
    }

    Repository open() throws IOException {
        if (repo == null) {
            throw new IllegalArgumentException("no repository given; use --repo DIR or set FERRY_REPO");
        }
        return Repository.openLocal(repo, keySource());
    }
}
