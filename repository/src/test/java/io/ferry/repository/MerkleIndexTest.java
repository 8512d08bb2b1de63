package io.ferry.repository;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MerkleIndexTest {
  static final long GIB = 1L << 30;
  @TempDir Path dir;
  CountingBlobStore store;
  Repository repo;

  @BeforeEach
  void open() throws IOException {
    store = new CountingBlobStore(new LocalDirectoryStore(dir.resolve("r")));
    // 256 KiB chunks and F = 1024: a 2 GiB disk has 8192 chunks, 8 leaves, depth 2
    repo = Repository.init(store, RepositoryConfig.defaults(), new KeySource.None());
  }

  @AfterEach
  void close() throws IOException {
    repo.close();
    store.close();
  }

  private Map<Long, byte[]> sparse(long seed, long... indexes) {
    Map<Long, byte[]> m = new HashMap<>();
    for (long i : indexes) m.put(i, TestRepos.compressible(seed + i, repo.chunkSize()));
    return m;
  }

  @Test
  void aChildChangingThreeChunksWritesThoseChunksAndDepthPages() throws IOException {
    long size = 2 * GIB;
    Map<Long, byte[]> base = sparse(100, 0, 1, 5, 1023, 1024, 4000, 8191);
    IndexRef parentRef = TestRepos.writeDisk(repo, size, null, base);
    assertThat(parentRef.depth()).isEqualTo(2);
    DiskIndex parent = repo.openIndex(parentRef);
    // leaves 0, 1, 3, 7 and the root; leaves 2, 4, 5, 6 are all zero: not stored
    assertThat(store.puts("index/")).isEqualTo(5);
    assertThat(parent.chunkCount()).isEqualTo(8192);

    store.reset();
    Map<Long, byte[]> changes = sparse(900, 2000, 2001, 2047); // all in leaf 1
    IndexRef childRef = TestRepos.writeDisk(repo, size, parent, changes);
    assertThat(store.puts("chunks/")).isEqualTo(3);
    assertThat(store.puts("index/")).isEqualTo(childRef.depth()).isEqualTo(2);
    DiskIndex child = repo.openIndex(childRef);
    assertThat(child.differingChunks(parent).toArray()).containsExactly(2000, 2001, 2047);
    assertThat(parent.differingChunks(child).toArray()).containsExactly(2000, 2001, 2047);

    for (long i : base.keySet()) {
      ChunkId id = repo.chunkId(ByteBuffer.wrap(base.get(i)));
      assertThat(parent.chunk(i)).isEqualTo(id);
      assertThat(child.chunk(i)).isEqualTo(id);
    }
    assertThat(parent.chunk(2000)).isEqualTo(ChunkId.ZERO);
    assertThat(child.chunk(2000)).isEqualTo(repo.chunkId(ByteBuffer.wrap(changes.get(2000L))));
    assertThat(child.chunk(3000)).isEqualTo(ChunkId.ZERO);
    assertThat(repo.readChunk(child.chunk(2047))).isEqualTo(changes.get(2047L));
  }

  @Test
  void changesSpreadOverThreeLeavesWriteThreeLeavesAndTheRoot() throws IOException {
    IndexRef parentRef = TestRepos.writeDisk(repo, 2 * GIB, null, sparse(1, 0, 1024, 2048, 4096));
    store.reset();
    IndexRef childRef = TestRepos.writeDisk(repo, 2 * GIB, repo.openIndex(parentRef), sparse(2, 10, 1030, 5000));
    assertThat(store.puts("index/")).isEqualTo(4);
    assertThat(repo.openIndex(childRef).differingChunks(repo.openIndex(parentRef)).toArray()).containsExactly(10, 1030, 5000);
  }

  @Test
  void anUnchangedChildHasTheParentsRootAndWritesNothing() throws IOException {
    IndexRef parentRef = TestRepos.writeDisk(repo, 2 * GIB, null, sparse(1, 3, 7000));
    store.reset();
    IndexRef childRef = repo.newIndex(2 * GIB, repo.openIndex(parentRef)).commit();
    assertThat(childRef).isEqualTo(parentRef);
    assertThat(store.puts.size()).isZero();
  }

  @Test
  void anAllZeroDiskHasAZeroRootAndNoPages() throws IOException {
    IndexBuilder b = repo.newIndex(2 * GIB, null);
    b.set(17, ChunkId.ZERO);
    IndexRef ref = b.commit();
    assertThat(ref.root()).isEqualTo(ChunkId.ZERO);
    assertThat(store.puts("index/")).isZero();
    DiskIndex idx = repo.openIndex(ref);
    assertThat(idx.chunk(17)).isEqualTo(ChunkId.ZERO);
    assertThat(idx.differingChunks(repo.openIndex(ref)).count()).isZero();
  }

  @Test
  void settingAChunkBackToZeroMakesItsPageZero() throws IOException {
    IndexRef parentRef = TestRepos.writeDisk(repo, 2 * GIB, null, sparse(1, 10, 5000));
    IndexBuilder b = repo.newIndex(2 * GIB, repo.openIndex(parentRef));
    b.set(5000, ChunkId.ZERO);
    store.reset();
    IndexRef childRef = b.commit();
    assertThat(store.puts("index/")).as("only the root; leaf 4 became ZERO").isEqualTo(1);
    DiskIndex child = repo.openIndex(childRef);
    assertThat(child.chunk(5000)).isEqualTo(ChunkId.ZERO);
    assertThat(child.differingChunks(repo.openIndex(parentRef)).toArray()).containsExactly(5000);
  }

  @Test
  void diskSizeChangesKeepSharedChunksAndDiffBeyondTheShorterDisk() throws IOException {
    // 64 MiB disk = 256 chunks = depth 1; grows to 2 GiB (depth 2) and shrinks to 1 MiB + 1 byte
    IndexRef small = TestRepos.writeDisk(repo, 64L << 20, null, sparse(1, 0, 100, 255));
    DiskIndex smallIx = repo.openIndex(small);
    assertThat(small.depth()).isEqualTo(1);
    IndexRef grown = TestRepos.writeDisk(repo, 2 * GIB, smallIx, sparse(2, 3000));
    DiskIndex grownIx = repo.openIndex(grown);
    assertThat(grown.depth()).isEqualTo(2);
    assertThat(grownIx.chunk(100)).isEqualTo(smallIx.chunk(100));
    assertThat(grownIx.chunk(255)).isEqualTo(smallIx.chunk(255));
    assertThat(grownIx.differingChunks(smallIx).toArray()).containsExactly(3000);
    assertThat(smallIx.differingChunks(grownIx).toArray()).containsExactly(3000);

    IndexRef shrunk = repo.newIndex((1L << 20) + 1, grownIx).commit(); // 5 chunks, the last one byte
    DiskIndex shrunkIx = repo.openIndex(shrunk);
    assertThat(shrunkIx.chunkCount()).isEqualTo(5);
    assertThat(shrunkIx.chunk(0)).isEqualTo(smallIx.chunk(0));
    assertThat(shrunkIx.differingChunks(grownIx).toArray()).containsExactly(100, 255, 3000);
    // the same content as a fresh index of that size: the trimmed pages are canonical
    IndexRef fresh = TestRepos.writeDisk(repo, (1L << 20) + 1, null, sparse(1, 0));
    assertThat(shrunk).isEqualTo(fresh);
  }

  @Test
  void aGrownDiskHasTheSameRootAsOneWrittenFresh() throws IOException {
    IndexRef small = TestRepos.writeDisk(repo, 64L << 20, null, sparse(1, 0, 100));
    IndexRef grown = TestRepos.writeDisk(repo, 3 * GIB, repo.openIndex(small), sparse(2, 9000));
    Map<Long, byte[]> all = sparse(1, 0, 100);
    all.putAll(sparse(2, 9000));
    assertThat(grown).isEqualTo(TestRepos.writeDisk(repo, 3 * GIB, null, all));
  }

  @Test
  void setIsThreadSafe() throws Exception {
    List<ChunkId> ids = new ArrayList<>();
    for (int i = 0; i < 64; i++) {
      byte[] c = TestRepos.random(i, 64);
      ids.add(repo.chunkId(ByteBuffer.wrap(c)));
    }
    IndexBuilder b = repo.newIndex(2 * GIB, null);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> fs = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int tt = t;
        fs.add(pool.submit(() -> {
          for (int i = tt; i < 8192; i += 4) b.set(i, ids.get(i % 64));
        }));
      }
      for (Future<?> f : fs) f.get();
    } finally {
      pool.shutdown();
    }
    DiskIndex idx = repo.openIndex(b.commit());
    for (long i = 0; i < 8192; i += 37) assertThat(idx.chunk(i)).isEqualTo(ids.get((int) (i % 64)));
  }
}
