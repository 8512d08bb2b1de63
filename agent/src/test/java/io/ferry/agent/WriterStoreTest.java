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

    @Test
    void aReaderReadsAndListsButWritesAndDeletesNothing() throws Exception {
        try (LocalDirectoryStore local = new LocalDirectoryStore(dir)) {
            local.put("points/p1", new byte[] {1});
            local.sync();
            ReadOnlyStore r = new ReadOnlyStore(local, "host-b");
            assertThat(r.get("points/p1")).containsExactly(1);
            assertThat(r.exists("points/p1")).isTrue();
            assertThat(r.list("points/").map(b -> b.key()).toList()).containsExactly("points/p1");
            assertThatThrownBy(() -> r.put("chunks/ab/" + "ab".repeat(32), new byte[] {2})).hasMessageContaining("host-b")
                    .hasMessageContaining("may only read");
            assertThatThrownBy(() -> r.delete("points/p1")).hasMessageContaining("may only read");
            r.sync();
            assertThat(local.exists("chunks/ab/" + "ab".repeat(32))).isFalse();
            assertThat(local.get("points/p1")).containsExactly(1);
        }
    }
}
