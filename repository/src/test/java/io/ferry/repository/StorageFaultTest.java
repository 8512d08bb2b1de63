package io.ferry.repository;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real faults on a real filesystem: a full tmpfs, a read-only mount. Skipped where mounting is not allowed. */
class StorageFaultTest {
  @TempDir Path dir;
  Path mnt;
  boolean mounted;

  private static int run(String... cmd) {
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(20, TimeUnit.SECONDS) ? p.exitValue() : -1;
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  private void mountTmpfs(String options) throws IOException {
    mnt = Files.createDirectories(dir.resolve("mnt"));
    mounted = run("mount", "-t", "tmpfs", "-o", options, "tmpfs", mnt.toString()) == 0;
    assumeThat(mounted).as("mounting a tmpfs needs root (skipped otherwise)").isTrue();
  }

  @AfterEach
  void unmount() {
    if (mounted) run("umount", "-l", mnt.toString());
  }

  @Test
  void aFullFilesystemFailsPutChunkWithRepositoryFullAndLeavesCommittedPointsIntact() throws IOException {
    mountTmpfs("size=2m");
    Path r = mnt.resolve("repo");
    try (Repository repo = TestRepos.init(r, Encryption.NONE)) {
      IndexRef ref = TestRepos.writeDisk(repo, 1L << 20, null,
          Map.of(0L, TestRepos.random(1, TestRepos.CHUNK), 1L, TestRepos.random(2, TestRepos.CHUNK), 2L, TestRepos.compressible(3, TestRepos.CHUNK)));
      PointManifest committed = TestRepos.commit(repo, "m", null, "vda", ref);

      RepositoryFullException full = null;
      List<ChunkId> written = new ArrayList<>();
      for (int i = 0; i < 200 && full == null; i++) {
        byte[] c = TestRepos.random(1000 + i, TestRepos.CHUNK);
        ChunkId id = repo.chunkId(ByteBuffer.wrap(c));
        try {
          repo.putChunk(id, ByteBuffer.wrap(c));
          written.add(id);
        } catch (RepositoryFullException e) {
          full = e;
        }
      }
      assertThat(full).as("the 2 MiB filesystem filled up").isNotNull();
      assertThat(full.getMessage()).contains("is full").contains(r.toString());
      assertThat(full.hint()).contains("free space").contains("ferry repo gc");
      repo.store().sync();

      VerifyReport v = repo.verify(ProgressListener.NONE);
      assertThat(v.clean()).isTrue();
      assertThat(v.temporaryFiles()).as("no debris of the failed write").isZero();
      assertThat(repo.points()).containsExactly(committed);
      try (Stream<BlobInfo> chunks = repo.store().list("chunks/")) {
        List<BlobInfo> all = chunks.toList();
        assertThat(all).hasSize(3 + written.size());
        for (BlobInfo b : all) repo.readChunk(BlobKeys.idOf(b.key())); // every visible blob is whole
      }
      try (Stream<Path> files = Files.walk(r)) {
        assertThat(files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".tmp")).toList()).isEmpty();
      }
    }
  }

  @Test
  void aReadOnlyRepositoryDirectoryGivesAnErrorNamingThePathAndSayingItIsNotWritable() throws IOException {
    mountTmpfs("size=1m");
    Path r = mnt.resolve("repo");
    PointManifest p;
    try (Repository repo = TestRepos.init(r, Encryption.NONE)) {
      p = TestRepos.commit(repo, "m", null, "vda", TestRepos.writeDisk(repo, 1L << 20, null, Map.of(0L, TestRepos.random(1, 1000))));
    }
    assumeThat(run("mount", "-o", "remount,ro", mnt.toString())).as("remount read-only").isZero();
    try (Repository repo = Repository.openLocal(r, new KeySource.None())) {
      assertThat(repo.points()).containsExactly(p); // reading still works
      byte[] c = TestRepos.random(9, 1000);
      ChunkId id = repo.chunkId(ByteBuffer.wrap(c));
      assertThatThrownBy(() -> repo.putChunk(id, ByteBuffer.wrap(c))).isInstanceOf(RepositoryException.class)
          .hasMessageContaining(r.resolve("chunks").toString()).hasMessageContaining("not writable");
    }
    assertThatThrownBy(() -> TestRepos.init(mnt.resolve("other"), Encryption.NONE)).isInstanceOf(RepositoryException.class)
        .hasMessageContaining(mnt.resolve("other").toString()).hasMessageContaining("not writable");
  }
}
