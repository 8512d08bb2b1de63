package io.ferry.agent;

import io.ferry.repository.KeySource;
import io.ferry.repository.RepositoryException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RepositoryKeysTest {
    @TempDir Path state;

    private static String b64(byte[] k) {
        return Base64.getEncoder().encodeToString(k);
    }

    private static byte[] key(int first) {
        byte[] k = new byte[32];
        for (int i = 0; i < k.length; i++) k[i] = (byte) (i + first);
        return k;
    }

    @Test
    void aKeyFromTheVaultBecomesAnOwnerOnlyKeyFileOfItsRawBytes() throws Exception {
        KeySource ks = new RepositoryKeys(state).kept("pair-1", b64(key(0)));
        Path file = ((KeySource.KeyFile) ks).file();
        assertThat(Files.readAllBytes(file)).isEqualTo(key(0));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        // the same key again is fine
        assertThat(new RepositoryKeys(state).kept("pair-1", b64(key(0)))).isEqualTo(ks);
    }

    @Test
    void aKeptRepositorysKeyIsNeverReplacedByAnotherOne() throws Exception {
        new RepositoryKeys(state).kept("pair-1", b64(key(0)));
        assertThatThrownBy(() -> new RepositoryKeys(state).kept("pair-1", b64(key(7))))
                .isInstanceOf(RepositoryException.class).hasMessageContaining("pair-1").hasMessageContaining("differs");
        assertThat(Files.readAllBytes(state.resolve("keys/pair-1.key"))).isEqualTo(key(0));
    }

    @Test
    void aSourceKeepsOneKeyPerRepositoryAndRecoveryHost() throws Exception {
        RepositoryKeys keys = new RepositoryKeys(state);
        Path a = ((KeySource.KeyFile) keys.remote("pair", "host-a", b64(key(1)))).file();
        Path b = ((KeySource.KeyFile) keys.remote("pair", "host-b", b64(key(2)))).file();
        assertThat(a).isNotEqualTo(b);
        assertThat(Files.readAllBytes(a)).isEqualTo(key(1));
        assertThat(Files.readAllBytes(b)).isEqualTo(key(2));
    }

    @Test
    void noKeyMeansAnUnencryptedRepository() throws Exception {
        assertThat(new RepositoryKeys(state).kept("pair-1", null)).isInstanceOf(KeySource.None.class);
        assertThat(Files.exists(state.resolve("keys"))).isFalse();
    }
}
