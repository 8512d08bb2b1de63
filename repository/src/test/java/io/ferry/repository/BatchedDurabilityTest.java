package io.ferry.repository;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The batched commit protocol of {@link LocalDirectoryStore} (docs/formats.md §7): when files get their final names, and what a kill leaves. */
class BatchedDurabilityTest {
  private static final Duration NEVER = Duration.ofHours(1);

  @TempDir Path dir;

  private Path repo() {
    return dir.resolve("repo");
  }

  private LocalDirectoryStore store(int maxFiles, long maxBytes, Duration maxAge, BatchFlusher.Durability d) {
    return new LocalDirectoryStore(repo(), new BatchFlusher.Limits(maxFiles, maxBytes, maxAge), d);
  }

  /** Keys under final names, as another process sees them. */
  private List<String> finalKeys() throws IOException {
    try (LocalDirectoryStore other = new LocalDirectoryStore(repo()); Stream<BlobInfo> l = other.list("")) {
      return l.map(BlobInfo::key).sorted().toList();
    }
  }

  private static void awaitTrue(String what, IoCheck c) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!c.ok()) {
      assertThat(System.nanoTime()).as(what).isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  interface IoCheck {
    boolean ok() throws IOException;
  }

  @ParameterizedTest
  @EnumSource(BatchFlusher.Durability.class)
  void aBatchIsRenamedWhenItHoldsMaxFilesAndTheRestWaitsForSync(BatchFlusher.Durability d) throws Exception {
    try (LocalDirectoryStore s = store(10, 1L << 30, NEVER, d)) {
      for (int i = 0; i < 25; i++) s.put("chunks/%04x/c%02d".formatted(i % 3, i), BlobStoreContract.bytes("v" + i));
      awaitTrue("two full batches renamed", () -> finalKeys().size() == 20);
      Thread.sleep(200);
      assertThat(finalKeys()).as("the third batch is not full and not old").hasSize(20);
      for (int i = 0; i < 25; i++) assertThat(s.get("chunks/%04x/c%02d".formatted(i % 3, i))).as("the writer sees every pending blob").isEqualTo(BlobStoreContract.bytes("v" + i));
      assertThat(s.exists("chunks/0000/c24")).isTrue();
      s.sync();
      assertThat(finalKeys()).hasSize(25);
    }
  }

  @Test
  void aBatchIsRenamedWhenItHoldsMaxBytes() throws Exception {
    try (LocalDirectoryStore s = store(1000, 10_000, NEVER, BatchFlusher.Durability.SYNCFS)) {
      s.put("chunks/0000/a", new byte[6000]);
      Thread.sleep(200);
      assertThat(finalKeys()).isEmpty();
      s.put("chunks/0000/b", new byte[6000]);
      awaitTrue("the batch of 12,000 bytes is renamed", () -> finalKeys().size() == 2);
    }
  }

  @Test
  void aBatchIsRenamedWhenItIsMaxAgeOldWithoutSync() throws Exception {
    try (LocalDirectoryStore s = store(1000, 1L << 30, Duration.ofMillis(300), BatchFlusher.Durability.SYNCFS)) {
      long t0 = System.nanoTime();
      s.put("chunks/0000/a", BlobStoreContract.bytes("a"));
      s.put("index/0000/b", BlobStoreContract.bytes("b"));
      awaitTrue("the batch is renamed after its age limit", () -> finalKeys().size() == 2);
      assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(300));
      try (Stream<BlobInfo> t = s.temporaries()) {
        assertThat(t.count()).isZero();
      }
    }
  }

  @ParameterizedTest
  @EnumSource(BatchFlusher.Durability.class)
  void syncMakesEveryPutVisibleToASecondInstance(BatchFlusher.Durability d) throws Exception {
    try (LocalDirectoryStore s = store(2048, 256L << 20, NEVER, d)) {
      for (int i = 0; i < 100; i++) s.put("chunks/%04x/k%03d".formatted(i % 7, i), BlobStoreContract.bytes("value " + i));
      s.put("points/p1", BlobStoreContract.bytes("manifest"));
      assertThat(finalKeys()).as("nothing is renamed before the batch is full, old or synced").isEmpty();
      s.sync();
      try (LocalDirectoryStore other = new LocalDirectoryStore(repo())) {
        for (int i = 0; i < 100; i++) assertThat(other.get("chunks/%04x/k%03d".formatted(i % 7, i))).isEqualTo(BlobStoreContract.bytes("value " + i));
        assertThat(other.get("points/p1")).isEqualTo(BlobStoreContract.bytes("manifest"));
        try (Stream<BlobInfo> t = other.temporaries()) {
          assertThat(t.count()).isZero();
        }
      }
    }
  }

  @Test
  void tinyLimitsApplyBackPressureWithoutDeadlockEvenForABlobLargerThanABatch() throws Exception {
    byte[] big = new byte[3 << 20];
    new Random(3).nextBytes(big);
    try (LocalDirectoryStore s = store(2, 1024, NEVER, BatchFlusher.Durability.SYNCFS)) {
      for (int i = 0; i < 30; i++) s.put("chunks/0000/k" + i, i == 10 ? big : BlobStoreContract.bytes("v" + i));
      assertThat(finalKeys().size()).as("at most two batches' worth pending").isGreaterThanOrEqualTo(30 - 4);
      s.sync();
      assertThat(finalKeys()).hasSize(30);
      assertThat(s.get("chunks/0000/k10")).isEqualTo(big);
    }
  }

  @Test
  void aPutSupersededOrDeletedBeforeItsBatchIsFlushedNeverLands() throws Exception {
    try (LocalDirectoryStore s = store(2048, 256L << 20, NEVER, BatchFlusher.Durability.SYNCFS)) {
      s.put("config", BlobStoreContract.bytes("one"));
      s.put("config", BlobStoreContract.bytes("two"));
      s.put("points/gone", BlobStoreContract.bytes("x"));
      s.delete("points/gone");
      s.sync();
      assertThat(finalKeys()).containsExactly("config");
      assertThat(Files.readString(repo().resolve("config"))).isEqualTo("two");
      try (Stream<Path> files = Files.walk(repo())) {
        assertThat(files.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList()).isEmpty();
      }
    }
  }

  @ParameterizedTest
  @EnumSource(BatchFlusher.Durability.class)
  void aBatchThatCannotBeMadeDurableRenamesNothingAndTheErrorSurfacesFromPutAndSync(BatchFlusher.Durability d) throws Exception {
    try (LocalDirectoryStore s = store(2048, 256L << 20, NEVER, d)) {
      s.put("chunks/0000/a", BlobStoreContract.bytes("a"));
      s.put("index/0000/b", BlobStoreContract.bytes("b"));
      Files.move(repo().resolve("chunks"), dir.resolve("moved-away")); // the batch's sync (syncfs of chunks/, or fsync of a) fails
      assertThatThrownBy(s::sync).isInstanceOf(RepositoryException.class).hasMessageContaining("cannot make durable 2 blobs")
          .hasMessageContaining(repo().toString()).hasMessageContaining("hint");
      assertThat(finalKeys()).as("not even the blob whose directory is fine").isEmpty();
      assertThat(s.exists("index/0000/b")).isFalse();
      try (Stream<Path> files = Files.walk(dir)) {
        assertThat(files.filter(Files::isRegularFile).map(p -> p.getFileName().toString()).filter(n -> !n.startsWith(".")).toList()).isEmpty();
      }
      s.put("index/0000/c", BlobStoreContract.bytes("c")); // reported once: the store goes on
      s.sync();
      assertThat(finalKeys()).containsExactly("index/0000/c");
    }
  }

  @Test
  void aFailedBackgroundBatchIsThrownByTheNextPut() throws Exception {
    try (LocalDirectoryStore s = store(2048, 256L << 20, Duration.ofMillis(100), BatchFlusher.Durability.SYNCFS)) {
      s.put("chunks/0000/a", BlobStoreContract.bytes("a"));
      Files.move(repo().resolve("chunks"), dir.resolve("moved-away"));
      awaitTrue("the batch failed in the background", () -> {
        try {
          s.put("index/0000/b" + System.nanoTime(), BlobStoreContract.bytes("b"));
          return false;
        } catch (RepositoryException e) {
          assertThat(e).hasMessageContaining("chunks/0000/a").hasMessageContaining(repo().toString());
          return true;
        }
      });
      assertThatThrownBy(s::sync).isInstanceOf(RepositoryException.class);
      s.sync();
    }
  }

  /**
   * A writer killed with SIGKILL while batches are being renamed: every file under a final name
   * is a complete, valid chunk (frame CRC and recomputed id), and what is left as temporary files
   * is listed as such and removed by GC.
   */
  @Test
  void aKilledWriterLeavesOnlyCompleteFinalNameFilesAndTemporariesThatGcRemoves() throws Exception {
    TestRepos.init(repo(), Encryption.NONE).close();
    Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", System.getProperty("java.class.path"),
        KilledWriter.class.getName(), repo().toString()).redirectErrorStream(true).redirectOutput(dir.resolve("child.log").toFile()).start();
    try {
      awaitTrue("the child renamed a few batches", () -> chunkFiles() >= 300 || !child.isAlive());
      assertThat(child.isAlive()).as("child still writing (see %s)", dir.resolve("child.log")).isTrue();
      Thread.sleep(new Random().nextInt(50)); // land anywhere in a batch: writing, syncing or renaming
    } finally {
      child.destroyForcibly(); // SIGKILL
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }
    try (Repository r = Repository.openLocal(repo(), new KeySource.None())) {
      List<String> keys;
      try (Stream<BlobInfo> l = r.store().list("chunks/")) {
        keys = l.map(BlobInfo::key).toList();
      }
      assertThat(keys).hasSizeGreaterThanOrEqualTo(300);
      for (String k : keys) {
        ChunkId id = BlobKeys.idOf(k);
        byte[] plain = r.readChunk(id); // every reader check of formats.md §2, id recomputed
        assertThat(plain).hasSize(TestRepos.CHUNK);
      }
      List<BlobInfo> temporaries;
      try (Stream<BlobInfo> t = r.store().temporaries()) {
        temporaries = t.toList();
      }
      GcReport gc = r.gc(Duration.ZERO, Instant.now().plusSeconds(1));
      assertThat(gc.temporariesDeleted()).isEqualTo(temporaries.size());
      try (Stream<BlobInfo> t = r.store().temporaries()) {
        assertThat(t.count()).isZero();
      }
    }
  }

  private long chunkFiles() throws IOException {
    Path chunks = repo().resolve("chunks");
    if (!Files.isDirectory(chunks)) return 0;
    for (int attempt = 0; ; attempt++) {
      // the writer renames temporary files while we walk: a vanished entry means "look again"
      try (Stream<Path> s = Files.walk(chunks)) {
        return s.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().startsWith(".")).count();
      } catch (java.io.UncheckedIOException e) {
        if (attempt >= 20) throw e;
      }
    }
  }

  /** The child process: puts random chunks until killed, with small batches (64 files or 100 ms) so that many batches are renamed. */
  public static final class KilledWriter {
    public static void main(String[] args) throws Exception {
      Path root = Path.of(args[0]);
      LocalDirectoryStore store = new LocalDirectoryStore(root, new BatchFlusher.Limits(64, 8L << 20, Duration.ofMillis(100)), BatchFlusher.Durability.configured());
      Repository r = Repository.open(store, new KeySource.None());
      List<Thread> threads = new ArrayList<>();
      for (int t = 0; t < 2; t++) {
        long seed = t;
        threads.add(Thread.ofPlatform().start(() -> {
          Random rnd = new Random(seed);
          byte[] c = new byte[TestRepos.CHUNK];
          try {
            while (true) {
              rnd.nextBytes(c);
              ByteBuffer b = ByteBuffer.wrap(c);
              r.putChunk(r.chunkId(b), b);
            }
          } catch (IOException e) {
            e.printStackTrace();
            System.exit(3);
          }
        }));
      }
      for (Thread t : threads) t.join();
    }
  }
}
