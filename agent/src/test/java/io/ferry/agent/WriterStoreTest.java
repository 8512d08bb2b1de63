package io.ferry.agent;

import io.ferry.repository.LocalDirectoryStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WriterStoreTest {
    @TempDir Path dir;

    @Test
    void aWriterAddsBlobsButCannotDeleteOrReplaceManifests() throws Exception {
        try (LocalDirectoryStore local = new LocalDirectoryStore(dir)) {
            WriterStore w = new WriterStore(local, "host-a");
            w.put("points/p1", new byte[] {1});
            w.put("chunks/ab/" + "ab".repeat(32), new byte[] {2});
            w.put("chunks/ab/" + "ab".repeat(32), new byte[] {2}); // content-addressed: same bytes again is fine
            w.sync();
            assertThatThrownBy(() -> w.put("points/p1", new byte[] {9})).hasMessageContaining("host-a").hasMessageContaining("points/p1");
            assertThatThrownBy(() -> w.delete("points/p1")).hasMessageContaining("may not delete");
            assertThat(local.get("points/p1")).containsExactly(1);
        }
    }
}
