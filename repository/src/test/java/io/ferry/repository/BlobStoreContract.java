package io.ferry.repository;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The behaviour every {@link BlobStore} must have. Subclass per backend (local directory now, S3 later). */
public abstract class BlobStoreContract {
  protected BlobStore store;

  /** A new, empty store. */
  protected abstract BlobStore newStore() throws IOException;

  /** A second instance over the same backing storage as the last {@link #newStore()} (another process's view). */
  protected abstract BlobStore reopen() throws IOException;

  @BeforeEach
  void createStore() throws IOException {
    store = newStore();
  }

  @AfterEach
  void closeStore() throws IOException {
    store.close();
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static List<String> keys(BlobStore s, String prefix) throws IOException {
    try (Stream<BlobInfo> l = s.list(prefix)) {
      return l.map(BlobInfo::key).sorted().toList();
    }
  }

  @Test
  void putThenGetReturnsTheSameBytes() throws IOException {
    store.put("chunks/ab12/ab12cd", bytes("hello"));
    assertThat(store.get("chunks/ab12/ab12cd")).isEqualTo(bytes("hello"));
    assertThat(store.exists("chunks/ab12/ab12cd")).isTrue();
  }

  @Test
  void getOfAnAbsentKeyThrowsNoSuchBlobNamingTheKey() {
    assertThatThrownBy(() -> store.get("points/nothing-here")).isInstanceOf(NoSuchBlobException.class).hasMessageContaining("points/nothing-here");
  }

  @Test
  void existsIsFalseForAnAbsentKey() throws IOException {
    assertThat(store.exists("chunks/0000/none")).isFalse();
  }

  @Test
  void overwriteReplacesTheContent() throws IOException {
    store.put("config", bytes("one"));
    store.put("config", bytes("two, longer"));
    assertThat(store.get("config")).isEqualTo(bytes("two, longer"));
    store.sync();
    assertThat(store.get("config")).isEqualTo(bytes("two, longer"));
    assertThat(keys(store, "")).containsExactly("config");
  }

  @Test
  void emptyAndLargeBlobsRoundTrip() throws IOException {
    byte[] big = new byte[5 << 20];
    new Random(1).nextBytes(big);
    store.put("a/empty", new byte[0]);
    store.put("a/big", big);
    assertThat(store.get("a/empty")).isEmpty();
    assertThat(store.get("a/big")).isEqualTo(big);
  }

  @Test
  void deleteRemovesAndIsIdempotent() throws IOException {
    store.put("points/p1", bytes("x"));
    store.delete("points/p1");
    assertThat(store.exists("points/p1")).isFalse();
    assertThatThrownBy(() -> store.get("points/p1")).isInstanceOf(NoSuchBlobException.class);
    store.delete("points/p1");
    store.delete("points/never-existed");
    store.sync();
    assertThat(keys(store, "points/")).isEmpty();
  }

  @Test
  void deleteAfterSyncRemovesTheStoredBlob() throws IOException {
    store.put("points/p1", bytes("x"));
    store.sync();
    store.delete("points/p1");
    store.sync();
    assertThat(store.exists("points/p1")).isFalse();
  }

  @Test
  void listReturnsKeysUnderThePrefixWithSizes() throws IOException {
    store.put("chunks/ab12/ab12aa", bytes("12345"));
    store.put("chunks/ab12/ab12bb", bytes("1"));
    store.put("chunks/cd34/cd34cc", bytes("12"));
    store.put("index/ab12/ab12aa", bytes("123"));
    store.put("config", bytes("{}"));
    assertThat(keys(store, "chunks/")).containsExactly("chunks/ab12/ab12aa", "chunks/ab12/ab12bb", "chunks/cd34/cd34cc");
    assertThat(keys(store, "chunks/ab12/")).containsExactly("chunks/ab12/ab12aa", "chunks/ab12/ab12bb");
    assertThat(keys(store, "chunks/ab")).containsExactly("chunks/ab12/ab12aa", "chunks/ab12/ab12bb");
    assertThat(keys(store, "")).hasSize(5);
    assertThat(keys(store, "points/")).isEmpty();
    store.sync();
    try (Stream<BlobInfo> l = store.list("chunks/")) {
      Map<String, Long> sizes = l.collect(Collectors.toMap(BlobInfo::key, BlobInfo::size));
      assertThat(sizes).containsEntry("chunks/ab12/ab12aa", 5L).containsEntry("chunks/cd34/cd34cc", 2L);
    }
    try (Stream<BlobInfo> l = store.list("config")) {
      assertThat(l.findFirst().orElseThrow().modified()).isNotNull();
    }
  }

  @Test
  void listSeesEachKeyOnceBeforeAndAfterSync() throws IOException {
    for (int i = 0; i < 50; i++) store.put("chunks/0000/k" + i, bytes("v" + i));
    assertThat(keys(store, "chunks/")).hasSize(50).doesNotHaveDuplicates();
    store.sync();
    assertThat(keys(store, "chunks/")).hasSize(50).doesNotHaveDuplicates();
  }

  @Test
  void syncedBlobsAreVisibleToAnotherInstance() throws IOException {
    store.put("points/p1", bytes("manifest"));
    store.put("chunks/0000/c1", bytes("chunk"));
    store.sync();
    try (BlobStore other = reopen()) {
      assertThat(other.get("points/p1")).isEqualTo(bytes("manifest"));
      assertThat(keys(other, "")).containsExactly("chunks/0000/c1", "points/p1");
    }
  }

  @Test
  void concurrentPutsAllLand() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<?>> fs = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        int tt = t;
        fs.add(pool.submit(() -> {
          for (int i = 0; i < 100; i++) store.put("chunks/" + String.format("%04x", i % 7) + "/t" + tt + "-" + i, bytes(tt + ":" + i));
          return null;
        }));
      }
      for (Future<?> f : fs) f.get();
    } finally {
      pool.shutdown();
    }
    store.sync();
    assertThat(keys(store, "chunks/")).hasSize(800);
    assertThat(store.get("chunks/0003/t5-10")).isEqualTo(bytes("5:10"));
  }

  @Test
  void theSameKeyPutConcurrentlyEndsWithOneOfTheValues() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> fs = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int tt = t;
        fs.add(pool.submit(() -> {
          for (int i = 0; i < 50; i++) store.put("chunks/0000/same", bytes("value-" + tt));
          return null;
        }));
      }
      for (Future<?> f : fs) f.get();
    } finally {
      pool.shutdown();
    }
    store.sync();
    assertThat(new String(store.get("chunks/0000/same"), StandardCharsets.UTF_8)).matches("value-[0-3]");
    assertThat(keys(store, "")).containsExactly("chunks/0000/same");
  }
}
