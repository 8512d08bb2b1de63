package io.ferry.repository;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PointManifestTest {
  @TempDir Path dir;

  @Test
  void committedPointsAreListedOldestFirstAndReadBack() throws Exception {
    Path r = dir.resolve("r");
    try (Repository repo = TestRepos.init(r, Encryption.NONE)) {
      IndexRef ref = TestRepos.writeDisk(repo, 10L << 20, null, Map.of(0L, TestRepos.random(1, 1000), 3L, TestRepos.random(2, TestRepos.CHUNK)));
      PointManifest first = TestRepos.commit(repo, "web-01", null, "vda", ref);
      Thread.sleep(3);
      PointManifest second = repo.commitPoint(new PointDraft("web-01", Consistency.APP, first.id(),
          List.of(new DiskRef("vda", ref.diskSize(), ref), new DiskRef("vdb", 0, new IndexRef(ChunkId.ZERO, 1, 0))), Map.of("checkpoint", "ferry-2")));
      assertThat(first.id()).matches("\\d{8}T\\d{9}Z-[0-9a-f]{4}");
      assertThat(second.id()).isGreaterThan(first.id());
      assertThat(repo.points()).containsExactly(first, second);
      PointManifest back = repo.point(second.id()).orElseThrow();
      assertThat(back).isEqualTo(second);
      assertThat(back.parentId()).isEqualTo(first.id());
      assertThat(back.consistency()).isEqualTo(Consistency.APP);
      assertThat(back.disk("vda").index()).isEqualTo(ref);
      assertThat(back.attributes()).containsEntry("checkpoint", "ferry-2");
      assertThatThrownBy(() -> back.disk("vdz")).hasMessageContaining("vdz").hasMessageContaining(second.id());
      assertThat(r.resolve("points").resolve(first.id())).exists();
    }
    try (Repository again = Repository.openLocal(r, new KeySource.None())) {
      assertThat(again.points()).hasSize(2);
      assertThat(again.point("20990101T000000000Z-0000")).isEmpty();
    }
  }

  @Test
  void aManifestTempFileLeftByACrashIsNotAPoint() throws IOException {
    Path r = dir.resolve("r");
    try (Repository repo = TestRepos.init(r, Encryption.NONE)) {
      IndexRef ref = TestRepos.writeDisk(repo, 1L << 20, null, Map.of(1L, TestRepos.random(1, TestRepos.CHUNK)));
      PointManifest committed = TestRepos.commit(repo, "db-01", null, "vda", ref);
      // a crash between writing the temp file and the rename: a complete manifest under a temp name
      byte[] manifest = Files.readAllBytes(r.resolve("points").resolve(committed.id()));
      Files.write(r.resolve("points/.20991231T235959999Z-ffff.0123456789abcdef.tmp"), manifest);
      assertThat(repo.points()).extracting(PointManifest::id).containsExactly(committed.id());
      assertThat(repo.point("20991231T235959999Z-ffff")).isEmpty();
      VerifyReport v = repo.verify(ProgressListener.NONE);
      assertThat(v.clean()).isTrue();
      assertThat(v.temporaryFiles()).isEqualTo(1);
    }
  }

  @Test
  void commitRefusesBadDrafts() throws IOException {
    try (Repository repo = TestRepos.init(dir.resolve("r"), Encryption.NONE)) {
      IndexRef ref = TestRepos.writeDisk(repo, 1L << 20, null, Map.of(1L, TestRepos.random(1, 100)));
      DiskRef disk = new DiskRef("vda", ref.diskSize(), ref);
      assertThatThrownBy(() -> repo.commitPoint(new PointDraft("m", Consistency.CRASH, "20200101T000000000Z-0000", List.of(disk), Map.of())))
          .isInstanceOf(RepositoryException.class).hasMessageContaining("parent point 20200101T000000000Z-0000 does not exist");
      assertThatThrownBy(() -> repo.commitPoint(new PointDraft("m", Consistency.CRASH, null, List.of(disk, disk), Map.of())))
          .hasMessageContaining("appears twice");
      IndexRef bogus = new IndexRef(ChunkId.fromHex("11".repeat(32)), 1, 1L << 20);
      assertThatThrownBy(() -> repo.commitPoint(new PointDraft("m", Consistency.CRASH, null, List.of(new DiskRef("vda", 1L << 20, bogus)), Map.of())))
          .isInstanceOf(MissingBlobException.class).hasMessageContaining("index root");
      assertThat(repo.points()).isEmpty();
    }
  }

  @Test
  void deletePointRemovesOnlyTheManifest() throws IOException {
    try (Repository repo = TestRepos.init(dir.resolve("r"), Encryption.NONE)) {
      IndexRef ref = TestRepos.writeDisk(repo, 1L << 20, null, Map.of(1L, TestRepos.random(1, 100)));
      PointManifest p = TestRepos.commit(repo, "m", null, "vda", ref);
      repo.deletePoint(p.id());
      assertThat(repo.points()).isEmpty();
      assertThat(repo.hasChunk(repo.openIndex(ref).chunk(1))).isTrue();
      assertThatThrownBy(() -> repo.deletePoint(p.id())).isInstanceOf(RepositoryException.class).hasMessageContaining(p.id()).hasMessageContaining("does not exist");
    }
  }
}
