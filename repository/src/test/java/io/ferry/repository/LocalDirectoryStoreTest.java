package io.ferry.repository;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The contract suite on a local directory, plus what only a directory has: files, temporary files. */
class LocalDirectoryStoreTest extends BlobStoreContract {
  @TempDir Path dir;

  @Override
  protected BlobStore newStore() {
    return new LocalDirectoryStore(dir.resolve("repo"));
  }

  @Override
  protected BlobStore reopen() {
    return new LocalDirectoryStore(dir.resolve("repo"));
  }

  @Test
  void aKeyIsTheFileAtThatRelativePath() throws IOException {
    store.put("chunks/ab12/ab12ff", bytes("x"));
    store.sync();
    assertThat(dir.resolve("repo/chunks/ab12/ab12ff")).hasContent("x");
  }

  @Test
  void temporaryFilesFromACrashAreInvisibleToReadersAndListedAsTemporaries() throws IOException {
    Path fan = Files.createDirectories(dir.resolve("repo/points"));
    Files.writeString(fan.resolve(".20261123T163501123Z-3f9a.00aa11bb22cc33dd.tmp"), "half a manifest");
    assertThat(keys(store, "")).isEmpty();
    assertThat(store.exists("points/20261123T163501123Z-3f9a")).isFalse();
    try (Stream<BlobInfo> t = store.temporaries()) {
      assertThat(t.map(BlobInfo::key).toList()).containsExactly("points/.20261123T163501123Z-3f9a.00aa11bb22cc33dd.tmp");
    }
    store.deleteTemporary("points/.20261123T163501123Z-3f9a.00aa11bb22cc33dd.tmp");
    try (Stream<BlobInfo> t = store.temporaries()) {
      assertThat(t.count()).isZero();
    }
  }

  @Test
  void afterSyncNoTemporaryFilesRemain() throws IOException {
    for (int i = 0; i < 20; i++) store.put("chunks/00" + (i % 3) + "0/c" + i, bytes("v"));
    store.sync();
    try (Stream<BlobInfo> t = store.temporaries()) {
      assertThat(t.count()).isZero();
    }
    try (Stream<Path> files = Files.walk(dir.resolve("repo"))) {
      assertThat(files.filter(Files::isRegularFile).map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".tmp")).toList()).isEmpty();
    }
  }

  @Test
  void invalidKeysAreRejected() {
    for (String bad : new String[] {"", "/abs", "a//b", "../escape", "a/.hidden", "a/b/", "sp ace"})
      assertThatThrownBy(() -> store.put(bad, new byte[1])).as(bad).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> store.deleteTemporary("chunks/0000/notatemp")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void listShowsTheFileModificationTime() throws IOException {
    store.put("points/p", bytes("x"));
    store.sync();
    Instant old = Instant.parse("2020-01-01T00:00:00Z");
    Files.setLastModifiedTime(dir.resolve("repo/points/p"), FileTime.from(old));
    try (Stream<BlobInfo> l = store.list("points/")) {
      assertThat(l.findFirst().orElseThrow().modified()).isEqualTo(old);
    }
  }
}
