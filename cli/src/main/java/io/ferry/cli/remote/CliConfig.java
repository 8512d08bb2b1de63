package io.ferry.cli.remote;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

/**
 * The CLI's login: which vault, the token, and the vault's CA certificate (PEM) saved by
 * {@code ferry login}, in {@code ~/.config/ferry/cli.json} (or the file named by
 * {@code FERRY_CONFIG}), readable by its owner only (mode 0600). {@code FERRY_VAULT} and
 * {@code FERRY_TOKEN} override the saved vault and token without changing the file.
 */
public final class CliConfig {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final Path file;
    private final String savedVault;
    private final String savedToken;
    private final String caPem;
    private final String envVault;
    private final String envToken;

    private CliConfig(Path file, String savedVault, String savedToken, String caPem, String envVault, String envToken) {
        this.file = file;
        this.savedVault = savedVault;
        this.savedToken = savedToken;
        this.caPem = caPem;
        this.envVault = envVault;
        this.envToken = envToken;
    }

    /** The configuration file: {@code FERRY_CONFIG}, else {@code ~/.config/ferry/cli.json}. */
    public static Path path(Map<String, String> env) {
        String p = blankToNull(env.get("FERRY_CONFIG"));
        if (p != null) {
            return Path.of(p);
        }
        String home = blankToNull(env.get("HOME"));
        return Path.of(home != null ? home : System.getProperty("user.home"), ".config", "ferry", "cli.json");
    }

    /** Reads the saved login (none if the file does not exist) and applies the environment's overrides. */
    public static CliConfig load(Map<String, String> env) {
        Path file = path(env);
        String vault = null;
        String token = null;
        String ca = null;
        if (Files.exists(file)) {
            try {
                JsonNode n = JSON.readTree(Files.readString(file, StandardCharsets.UTF_8));
                vault = Json.text(n, "vault");
                token = Json.text(n, "token");
                ca = Json.text(n, "caPem");
            } catch (IOException | RuntimeException e) {
                throw VaultException.refused("INVALID_ARGUMENT", "cannot read the CLI configuration " + file + ": " + e.getMessage(),
                        "fix or delete it, then log in again with `ferry login --vault URL --ca-file ca.pem`");
            }
        }
        return new CliConfig(file, vault, token, ca, blankToNull(env.get("FERRY_VAULT")), blankToNull(env.get("FERRY_TOKEN")));
    }

    public Path file() {
        return file;
    }

    /** The vault URL in force: {@code FERRY_VAULT}, else the saved one; null if none. */
    public String vault() {
        return envVault != null ? envVault : savedVault;
    }

    /** The token in force: {@code FERRY_TOKEN}, else the saved one; null if none. */
    public String token() {
        return envToken != null ? envToken : savedToken;
    }

    /** The vault's CA certificate(s) saved at login, PEM; null to trust the JDK's CAs. */
    public String caPem() {
        return caPem;
    }

    public String savedVault() {
        return savedVault;
    }

    public boolean tokenFromEnvironment() {
        return envToken != null;
    }

    /** A copy with this saved login (the environment's overrides still apply to the copy). */
    public CliConfig withSaved(String vault, String token, String ca) {
        return new CliConfig(file, vault, token, ca, envVault, envToken);
    }

    /**
     * Writes the saved login (never the environment's overrides) atomically: a new file of mode
     * 0600 renamed over the old one; the directory is created with mode 0700.
     */
    public void save() {
        ObjectNode n = JSON.createObjectNode();
        n.put("vault", savedVault);
        n.put("token", savedToken);
        n.put("caPem", caPem);
        try {
            Path dir = file.toAbsolutePath().getParent();
            if (!Files.isDirectory(dir)) {
                try {
                    Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                } catch (UnsupportedOperationException e) {
                    Files.createDirectories(dir);
                }
            }
            Path tmp = dir.resolve("." + file.getFileName() + ".tmp");
            Files.deleteIfExists(tmp);
            try {
                Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException | FileAlreadyExistsException e) {
                Files.deleteIfExists(tmp);
                Files.createFile(tmp);
            }
            Files.writeString(tmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(n) + "\n", StandardCharsets.UTF_8);
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            try {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system: nothing more to do
            }
        } catch (IOException e) {
            throw VaultException.refused("INTERNAL", "cannot save the CLI configuration " + file + ": " + e.getMessage(),
                    "check that its directory is writable, or point FERRY_CONFIG at another file");
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }
}
