package io.ferry.transport.blobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.repository.ChunkId;
import io.ferry.repository.Consistency;
import io.ferry.repository.DiskIndex;
import io.ferry.repository.DiskRef;
import io.ferry.repository.Encryption;
import io.ferry.repository.IndexBuilder;
import io.ferry.repository.IndexRef;
import io.ferry.repository.KeySource;
import io.ferry.repository.PointDraft;
import io.ferry.repository.PointManifest;
import io.ferry.repository.Repository;
import io.ferry.repository.RepositoryConfig;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replication end to end: the source agent writes a recovery point (encrypted) into a repository
 * whose blobs live on the recovery agent; the recovery agent opens it locally and reads it back.
 */
class ReplicationRoundTripTest {
  static final int CHUNK = RepositoryConfig.MIN_CHUNK_SIZE;
  @TempDir Path dir;

  @Test
  void aPointWrittenOverTheWireOpensLocallyOnTheRecoveryAgent() throws Exception {
    char[] passphrase = "pair secret".toCharArray();
    RepositoryConfig cfg = new RepositoryConfig(CHUNK, 1, Encryption.PASSPHRASE).withKdfIterations(1000);
    byte[][] chunks = new byte[8][];
    Random r = new Random(3);
    for (int i = 0; i < chunks.length; i++) {
      chunks[i] = new byte[CHUNK];
      if (i != 5) r.nextBytes(chunks[i]); // chunk 5 stays zero: never stored
    }
    chunks[6] = chunks[2].clone(); // a duplicate: stored once
    long diskSize = (long) CHUNK * chunks.length;
    PointManifest written;
    String repoId;
    try (DataChannel channel = new DataChannel(dir)) {
      try (RetryingBlobStore remote = new RetryingBlobStore(channel.client()); Repository source = Repository.init(remote, cfg, new KeySource.Passphrase(passphrase))) {
        repoId = source.id();
        IndexBuilder index = source.newIndex(diskSize, null);
        for (int i = 0; i < chunks.length; i++) {
          ByteBuffer b = ByteBuffer.wrap(chunks[i]);
          ChunkId id = source.chunkId(b);
          if (!id.isZero() && !source.hasChunk(id)) source.putChunk(id, b);
          index.set(i, id);
        }
        IndexRef ref = index.commit();
        written = source.commitPoint(new PointDraft("vm-1", Consistency.CRASH, null, List.of(new DiskRef("vda", diskSize, ref)), Map.of("site", "primary")));
        assertThat(source.stats().chunksWritten()).isEqualTo(6);
        assertThat(remote.location()).isEqualTo("https://127.0.0.1:" + channel.server.port() + "/repositories/pair-1");
      }
      assertThat(channel.server.blobsReceived()).isGreaterThanOrEqualTo(6 + 1 + 1 + 1); // chunks, config, index page, manifest
    }

    try (Repository recovery = Repository.openLocal(dir.resolve("recovery/pair-1"), new KeySource.Passphrase(passphrase))) {
      assertThat(recovery.id()).isEqualTo(repoId);
      assertThat(recovery.points()).extracting(PointManifest::id).containsExactly(written.id());
      PointManifest point = recovery.point(written.id()).orElseThrow();
      assertThat(point.machine()).isEqualTo("vm-1");
      assertThat(point.attributes()).containsEntry("site", "primary");
      DiskIndex disk = recovery.openIndex(point.disk("vda").index());
      assertThat(disk.chunkCount()).isEqualTo(chunks.length);
      for (int i = 0; i < chunks.length; i++) {
        ChunkId id = disk.chunk(i);
        if (i == 5) assertThat(id.isZero()).isTrue();
        else assertThat(recovery.readChunk(id)).as("chunk %d", i).isEqualTo(chunks[i]);
      }
      assertThat(recovery.verify(null).toString()).doesNotContainIgnoringCase("corrupt");
    }
  }
}
