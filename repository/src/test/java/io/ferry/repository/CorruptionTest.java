package io.ferry.repository;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Damage on disk is detected by reads and attributed to exactly the affected points by verify. */
class CorruptionTest {
  @TempDir Path dir;

  /** Points a and b share chunk {@code shared}; point c does not. */
  record Fixture(Repository repo, Path root, PointManifest a, PointManifest b, PointManifest c, ChunkId shared, IndexRef refA) {}

  Fixture fixture(Encryption e) throws IOException {
    Path root = dir.resolve("r");
    Repository repo = TestRepos.init(root, e);
    byte[] sharedContent = TestRepos.compressible(42, TestRepos.CHUNK);
    IndexRef refA = TestRepos.writeDisk(repo, 8L << 20, null, Map.of(0L, sharedContent, 1L, TestRepos.random(1, TestRepos.CHUNK)));
    PointManifest a = TestRepos.commit(repo, "web", null, "vda", refA);
    IndexRef refB = TestRepos.writeDisk(repo, 8L << 20, repo.openIndex(refA), Map.of(2L, TestRepos.random(2, TestRepos.CHUNK)));
    PointManifest b = TestRepos.commit(repo, "web", a.id(), "vda", refB);
    IndexRef refC = TestRepos.writeDisk(repo, 8L << 20, null, Map.of(5L, TestRepos.random(3, TestRepos.CHUNK)));
    PointManifest c = TestRepos.commit(repo, "db", null, "vdb", refC);
    return new Fixture(repo, root, a, b, c, repo.chunkId(ByteBuffer.wrap(sharedContent)), refA);
  }

  @Test
  void aFlippedByteInAChunkIsCorruptForReadsAndVerifyNamesExactlyThePointsUsingIt() throws IOException {
    Fixture f = fixture(Encryption.NONE);
    try (Repository repo = f.repo()) {
      assertThat(repo.verify(ProgressListener.NONE).clean()).isTrue();
      String key = BlobKeys.chunk(f.shared());
      TestRepos.flipByte(f.root().resolve(key), -10);
      assertThatThrownBy(() -> repo.readChunk(f.shared())).isInstanceOf(CorruptBlobException.class).hasMessageContaining(key)
          .satisfies(t -> assertThat(((CorruptBlobException) t).key()).isEqualTo(key))
          .satisfies(t -> assertThat(((CorruptBlobException) t).hint()).isNotEmpty());
      VerifyReport v = repo.verify(ProgressListener.NONE);
      assertThat(v.clean()).isFalse();
      assertThat(v.damaged()).hasSize(1);
      VerifyReport.DamagedBlob d = v.damage(key);
      assertThat(d.kind()).isEqualTo(VerifyReport.Kind.CORRUPT);
      assertThat(d.reason()).contains("CRC32C");
      assertThat(d.pointIds()).containsExactlyInAnyOrder(f.a().id(), f.b().id());
      assertThat(d.affected()).extracting(VerifyReport.AffectedPoint::disk).containsOnly("vda");
    }
  }

  @Test
  void aChunkWhoseContentAndChecksumWereBothReplacedFailsTheIdCheck() throws IOException {
    Fixture f = fixture(Encryption.NONE);
    try (Repository repo = f.repo()) {
      // a valid frame of other content under the shared chunk's name: only the recomputed id catches it
      Path file = f.root().resolve(BlobKeys.chunk(f.shared()));
      ChunkId other = repo.openIndex(f.refA()).chunk(1);
      Files.copy(f.root().resolve(BlobKeys.chunk(other)), file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      assertThatThrownBy(() -> repo.readChunk(f.shared())).isInstanceOf(CorruptBlobException.class).hasMessageContaining("does not match its id");
    }
  }

  @Test
  void aDeletedChunkIsMissingForTheSamePoints() throws IOException {
    Fixture f = fixture(Encryption.NONE);
    try (Repository repo = f.repo()) {
      String key = BlobKeys.chunk(f.shared());
      Files.delete(f.root().resolve(key));
      VerifyReport v = repo.verify(ProgressListener.NONE);
      assertThat(v.damaged()).singleElement().satisfies(d -> {
        assertThat(d.key()).isEqualTo(key);
        assertThat(d.kind()).isEqualTo(VerifyReport.Kind.MISSING);
        assertThat(d.pointIds()).containsExactlyInAnyOrder(f.a().id(), f.b().id());
      });
    }
  }

  @Test
  void aFlippedByteInAnIndexPageIsNamedWithThePointsThatReachIt() throws IOException {
    Fixture f = fixture(Encryption.PASSPHRASE);
    try (Repository repo = f.repo()) {
      // refA's root is its only leaf (128 chunks < F); b rewrote that leaf, so the page belongs to point a only
      String key = BlobKeys.page(f.refA().root());
      TestRepos.flipByte(f.root().resolve(key), 30);
      VerifyReport v = repo.verify(ProgressListener.NONE);
      VerifyReport.DamagedBlob d = v.damage(key);
      assertThat(d).isNotNull();
      assertThat(d.kind()).isEqualTo(VerifyReport.Kind.CORRUPT);
      assertThat(d.pointIds()).containsExactly(f.a().id());
      assertThat(v.damaged()).hasSize(1);
    }
  }

  @Test
  void aCorruptManifestIsReportedAndSkippedByPoints() throws IOException {
    Fixture f = fixture(Encryption.NONE);
    try (Repository repo = f.repo()) {
      String key = BlobKeys.point(f.c().id());
      TestRepos.flipByte(f.root().resolve(key), 25);
      assertThat(repo.points()).extracting(PointManifest::id).containsExactly(f.a().id(), f.b().id());
      assertThatThrownBy(() -> repo.point(f.c().id())).isInstanceOf(CorruptBlobException.class).hasMessageContaining(key);
      VerifyReport v = repo.verify(ProgressListener.NONE);
      assertThat(v.damage(key).pointIds()).containsExactly(f.c().id());
      assertThatThrownBy(() -> repo.gc(java.time.Duration.ZERO, java.time.Instant.now())).isInstanceOf(RepositoryException.class)
          .hasMessageContaining("refused").hasMessageContaining(f.c().id());
    }
  }

  @Test
  void aTruncatedChunkIsCorrupt() throws IOException {
    Fixture f = fixture(Encryption.NONE);
    try (Repository repo = f.repo()) {
      Path file = f.root().resolve(BlobKeys.chunk(f.shared()));
      byte[] b = Files.readAllBytes(file);
      Files.write(file, java.util.Arrays.copyOf(b, b.length / 2));
      assertThatThrownBy(() -> repo.readChunk(f.shared())).isInstanceOf(CorruptBlobException.class).hasMessageContaining("truncated");
    }
  }
}
