package io.ferry.repository;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GarbageCollectorTest {
  @TempDir Path dir;

  private static ChunkId put(Repository repo, byte[] content) throws IOException {
    ChunkId id = repo.chunkId(ByteBuffer.wrap(content));
    repo.putChunk(id, ByteBuffer.wrap(content));
    return id;
  }

  @Test
  void anUnreferencedBlobYoungerThanTheGraceSurvivesAndAnOlderOneIsDeleted() throws IOException {
    Path r = dir.resolve("r");
    try (Repository repo = TestRepos.init(r, Encryption.NONE)) {
      TestRepos.commit(repo, "m", null, "vda", TestRepos.writeDisk(repo, 1L << 20, null, Map.of(0L, TestRepos.random(1, 4000))));
      ChunkId young = put(repo, TestRepos.random(2, 4000)); // a writer that has not committed yet
      ChunkId old = put(repo, TestRepos.random(3, 4000)); // left by a writer that died two days ago
      repo.store().sync();
      Files.setLastModifiedTime(r.resolve(BlobKeys.chunk(old)), FileTime.from(Instant.now().minus(Duration.ofDays(2))));
      GcReport gc = repo.gc(Duration.ofHours(24), Instant.now());
      assertThat(gc.blobsDeleted()).isEqualTo(1);
      assertThat(gc.unreferencedWithinGrace()).isEqualTo(1);
      assertThat(gc.bytesFreed()).isPositive();
      assertThat(repo.hasChunk(young)).isTrue();
      assertThat(repo.hasChunk(old)).isFalse();
      assertThat(repo.verify(ProgressListener.NONE).clean()).isTrue();
    }
  }

  @Test
  void afterDeletePointOnlyItsOwnBlobsGoAwayAndSharedOnesStay() throws IOException {
    Path r = dir.resolve("r");
    try (Repository repo = TestRepos.init(r, Encryption.PASSPHRASE)) {
      byte[] shared = TestRepos.compressible(1, TestRepos.CHUNK);
      byte[] onlyA = TestRepos.random(2, TestRepos.CHUNK);
      byte[] onlyB = TestRepos.random(3, TestRepos.CHUNK);
      IndexRef refA = TestRepos.writeDisk(repo, 4L << 20, null, Map.of(0L, shared, 1L, onlyA));
      PointManifest a = TestRepos.commit(repo, "m", null, "vda", refA);
      IndexRef refB = TestRepos.writeDisk(repo, 4L << 20, null, Map.of(0L, shared, 2L, onlyB));
      PointManifest b = TestRepos.commit(repo, "m", a.id(), "vda", refB);

      repo.deletePoint(a.id());
      GcReport gc = repo.gc(Duration.ZERO, Instant.now().plusSeconds(1));
      assertThat(gc.pointsMarked()).isEqualTo(1);
      assertThat(gc.blobsDeleted()).as("onlyA's chunk and a's index page").isEqualTo(2);
      assertThat(repo.hasChunk(repo.chunkId(ByteBuffer.wrap(onlyA)))).isFalse();
      assertThat(repo.store().exists(BlobKeys.page(refA.root()))).isFalse();
      assertThat(repo.hasChunk(repo.chunkId(ByteBuffer.wrap(shared)))).isTrue();
      assertThat(repo.hasChunk(repo.chunkId(ByteBuffer.wrap(onlyB)))).isTrue();
      VerifyReport v = repo.verify(ProgressListener.NONE);
      assertThat(v.clean()).isTrue();
      assertThat(v.orphanBlobs()).isZero();
      assertThat(repo.point(b.id())).isPresent();
      assertThat(repo.readChunk(repo.openIndex(refB).chunk(2))).isEqualTo(onlyB);
    }
  }

  @Test
  void staleTemporaryFilesAreRemovedAndFreshOnesKept() throws IOException {
    Path r = dir.resolve("r");
    try (Repository repo = TestRepos.init(r, Encryption.NONE)) {
      Path fan = Files.createDirectories(r.resolve("chunks/abcd"));
      Path stale = Files.write(fan.resolve(".abcd00.0000000000000001.tmp"), new byte[100]);
      Path fresh = Files.write(fan.resolve(".abcd01.0000000000000002.tmp"), new byte[100]);
      Files.setLastModifiedTime(stale, FileTime.from(Instant.now().minus(Duration.ofDays(3))));
      GcReport gc = repo.gc(Duration.ofDays(1), Instant.now());
      assertThat(gc.temporariesDeleted()).isEqualTo(1);
      assertThat(gc.temporaryBytesFreed()).isEqualTo(100);
      assertThat(stale).doesNotExist();
      assertThat(fresh).exists();
    }
  }

  @Test
  void sharedIndexPagesSurviveWhenOnePointOfAChainIsDeleted() throws IOException {
    Path r = dir.resolve("r");
    try (Repository repo = Repository.initLocal(r, RepositoryConfig.defaults(), new KeySource.None())) {
      long size = 2L << 30; // depth 2
      IndexRef ref1 = TestRepos.writeDisk(repo, size, null, Map.of(0L, TestRepos.random(1, 1000), 5000L, TestRepos.random(2, 1000)));
      PointManifest p1 = TestRepos.commit(repo, "m", null, "vda", ref1);
      IndexRef ref2 = TestRepos.writeDisk(repo, size, repo.openIndex(ref1), Map.of(1L, TestRepos.random(3, 1000)));
      TestRepos.commit(repo, "m", p1.id(), "vda", ref2);
      repo.deletePoint(p1.id());
      GcReport gc = repo.gc(Duration.ZERO, Instant.now().plusSeconds(1));
      // p1's own blobs: its root and its leaf 0; leaf 4 (chunk 5000) and both chunks are shared with p2
      assertThat(gc.blobsDeleted()).isEqualTo(2);
      DiskIndex ix2 = repo.openIndex(ref2);
      assertThat(repo.readChunk(ix2.chunk(5000))).isEqualTo(TestRepos.random(2, 1000));
      assertThat(repo.verify(ProgressListener.NONE).clean()).isTrue();
    }
  }
}
