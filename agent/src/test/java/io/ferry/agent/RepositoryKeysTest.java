package io.ferry.agent;

import io.ferry.repository.KeySource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;

class RepositoryKeysTest {
    @TempDir Path state;

    @Test
    void aKeyFromTheVaultBecomesAnOwnerOnlyKeyFileOfItsRawBytes() throws Exception {
        byte[] key = new byte[32];
        for (int i = 0; i < key.length; i++) key[i] = (byte) i;
        KeySource ks = new RepositoryKeys(state).keySource("pair-1", Base64.getEncoder().encodeToString(key));
        Path file = ((KeySource.KeyFile) ks).file();
        assertThat(Files.readAllBytes(file)).isEqualTo(key);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        // a changed key replaces the file; the same key leaves it alone
        key[0] = 42;
        new RepositoryKeys(state).keySource("pair-1", Base64.getEncoder().encodeToString(key));
        assertThat(Files.readAllBytes(file)).isEqualTo(key);
    }

    @Test
    void noKeyMeansAnUnencryptedRepository() throws Exception {
        assertThat(new RepositoryKeys(state).keySource("pair-1", null)).isInstanceOf(KeySource.None.class);
        assertThat(Files.exists(state.resolve("keys"))).isFalse();
    }
}
