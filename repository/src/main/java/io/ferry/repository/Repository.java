package io.ferry.repository;

import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Stream;
import javax.crypto.SecretKey;

/**
 * A Ferry repository: content-addressed chunks, Merkle disk indexes and point manifests on a
 * {@link BlobStore}, optionally encrypted (docs/formats.md). Thread-safe: many threads may hash
 * and put chunks and set index entries at once.
 */
public final class Repository implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(Repository.class.getName());

  private final BlobStore store;
  private final boolean ownsStore;
  private final RepositoryConfigCodec.Stored config;
  private final String name;
  private final boolean encrypted;
  private final ContentHasher hasher;
  private final BlobCodec codec;
  private final IndexPages pages;
  private final LongAdder chunksWritten = new LongAdder();
  private final LongAdder chunksDeduplicated = new LongAdder();
  private final LongAdder zeroChunks = new LongAdder();
  private final LongAdder chunkBytesStored = new LongAdder();
  private final LongAdder chunkPlainBytes = new LongAdder();

  private Repository(BlobStore store, boolean ownsStore, RepositoryConfigCodec.Stored config, KeyRing keys) {
    this.store = store;
    this.ownsStore = ownsStore;
    this.config = config;
    this.name = config.id() + " at " + store.location();
    this.encrypted = keys != null;
    SecretKey idKey = keys == null ? null : keys.idKey();
    SecretKey dataKey = keys == null ? null : keys.dataKey();
    this.hasher = new ContentHasher(idKey, config.chunkSize());
    this.codec = new BlobCodec(name, config.compressionLevel(), dataKey);
    this.pages = new IndexPages(store, codec, hasher, config.indexFanout(), config.chunkSize(), name);
  }

  // ---- creating and opening

  /** Creates a repository in {@code store}; refuses if one (or any repository data) is already there. */
  public static Repository init(BlobStore store, RepositoryConfig cfg, KeySource key) throws IOException {
    return init(store, cfg, key, false);
  }

  private static Repository init(BlobStore store, RepositoryConfig cfg, KeySource key, boolean ownsStore) throws IOException {
    if (cfg.encryption() != key.mode())
      throw new IllegalArgumentException("repository encryption " + cfg.encryption() + " needs a key source of that kind, got " + key.mode());
    String location = store.location();
    if (store.exists(BlobKeys.CONFIG))
      throw new RepositoryException("a repository already exists at " + location + "; refusing to initialise over it", "open it instead, or choose an empty location");
    for (String prefix : List.of(BlobKeys.POINTS, BlobKeys.CHUNKS, BlobKeys.INDEX)) {
      try (Stream<BlobInfo> s = store.list(prefix)) {
        if (s.findAny().isPresent())
          throw new RepositoryException(location + " holds repository data (" + prefix + "…) but no config; refusing to initialise over it",
              "restore the config from a copy, or choose an empty location");
      }
    }
    String id = UUID.randomUUID().toString();
    KeyRing keys = null;
    byte[] salt = null;
    byte[] wrapped = null;
    if (cfg.encryption() != Encryption.NONE) {
      keys = KeyRing.generate();
      salt = cfg.encryption() == Encryption.PASSPHRASE ? KeyRing.randomBytes(KeyRing.SALT_LENGTH) : null;
      SecretKey kek = KeyRing.wrappingKey(key, salt, cfg.kdfIterations(), id + " at " + location);
      wrapped = keys.wrap(kek, KeyRing.wrapAad(id, cfg.chunkSize(), cfg.indexFanout()));
    }
    var stored = new RepositoryConfigCodec.Stored(id, Instant.now().truncatedTo(ChronoUnit.MILLIS), cfg.chunkSize(), cfg.indexFanout(),
        cfg.compressionLevel(), cfg.encryption(), cfg.kdfIterations(), salt, wrapped);
    store.put(BlobKeys.CONFIG, RepositoryConfigCodec.encode(stored));
    store.sync();
    return new Repository(store, ownsStore, stored, keys);
  }

  /** Opens the repository in {@code store}. Only reads: a failed open changes nothing. */
  public static Repository open(BlobStore store, KeySource key) throws IOException {
    return open(store, key, false);
  }

  private static Repository open(BlobStore store, KeySource key, boolean ownsStore) throws IOException {
    String location = store.location();
    byte[] bytes;
    try {
      bytes = store.get(BlobKeys.CONFIG);
    } catch (NoSuchBlobException e) {
      throw RepositoryConfigCodec.notRepository(location, "there is no config");
    }
    var stored = RepositoryConfigCodec.decode(bytes, location);
    String repo = "repository " + stored.id() + " at " + location;
    if (stored.encryption() == Encryption.NONE) {
      if (!(key instanceof KeySource.None))
        throw new RepositoryException(repo + " is not encrypted, but a " + key.mode().name().toLowerCase() + " was given", "open it without a passphrase or key file");
      return new Repository(store, ownsStore, stored, null);
    }
    if (key instanceof KeySource.None)
      throw new RepositoryException(repo + " is encrypted: a " + (stored.encryption() == Encryption.PASSPHRASE ? "passphrase" : "key file") + " is needed to open it",
          "give the " + (stored.encryption() == Encryption.PASSPHRASE ? "passphrase" : "key file") + " the repository was created with");
    if (key.mode() != stored.encryption())
      throw new WrongKeyException(repo + " is protected by a " + (stored.encryption() == Encryption.PASSPHRASE ? "passphrase" : "key file") + ", not a "
          + (key.mode() == Encryption.PASSPHRASE ? "passphrase" : "key file"), "give the kind of key the repository was created with");
    SecretKey kek = KeyRing.wrappingKey(key, stored.salt(), stored.kdfIterations(), stored.id() + " at " + location);
    KeyRing keys = KeyRing.unwrap(kek, stored.wrappedKey(), KeyRing.wrapAad(stored.id(), stored.chunkSize(), stored.indexFanout()));
    if (keys == null)
      throw new WrongKeyException("wrong passphrase/key for " + repo, "nothing was changed; give the passphrase or key file the repository was created with");
    return new Repository(store, ownsStore, stored, keys);
  }

  /** Creates a repository in directory {@code dir} (created if missing); the repository owns and closes the store. */
  public static Repository initLocal(Path dir, RepositoryConfig cfg, KeySource key) throws IOException {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw StoreErrors.translate(e, "create repository directory", dir.toString(), dir.toAbsolutePath(), true);
    }
    LocalDirectoryStore store = new LocalDirectoryStore(dir);
    try {
      return init(store, cfg, key, true);
    } catch (IOException | RuntimeException e) {
      closeQuietly(store);
      throw e;
    }
  }

  /** Opens the repository in directory {@code dir}; the repository owns and closes the store. */
  public static Repository openLocal(Path dir, KeySource key) throws IOException {
    if (!Files.isDirectory(dir)) throw RepositoryConfigCodec.notRepository(dir.toAbsolutePath().toString(), "the directory does not exist");
    LocalDirectoryStore store = new LocalDirectoryStore(dir);
    try {
      return open(store, key, true);
    } catch (IOException | RuntimeException e) {
      closeQuietly(store);
      throw e;
    }
  }

  private static void closeQuietly(BlobStore s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // the original error matters more
    }
  }

  // ---- identity

  public String id() {
    return config.id();
  }

  public int chunkSize() {
    return config.chunkSize();
  }

  public boolean encrypted() {
    return encrypted;
  }

  public int indexFanout() {
    return config.indexFanout();
  }

  public BlobStore store() {
    return store;
  }

  @Override
  public String toString() {
    return "repository " + name;
  }

  // ---- chunks

  /** The id of {@code plaintext} (position..limit, not consumed); ZERO for all zeros. Thread-safe. */
  public ChunkId chunkId(ByteBuffer plaintext) {
    checkChunkLength(plaintext.remaining());
    return hasher.chunkId(plaintext);
  }

  public boolean hasChunk(ChunkId id) throws IOException {
    return id.isZero() || store.exists(BlobKeys.chunk(id));
  }

  /**
   * Stores chunk {@code id} (as returned by {@link #chunkId}) unless it is ZERO or already present.
   * Thread-safe. Returns the bytes stored, 0 when nothing was written.
   */
  public long putChunk(ChunkId id, ByteBuffer plaintext) throws IOException {
    checkChunkLength(plaintext.remaining());
    assert id.equals(hasher.chunkId(plaintext)) : "putChunk called with an id that is not the chunk's";
    if (id.isZero()) {
      zeroChunks.increment();
      return 0;
    }
    String key = BlobKeys.chunk(id);
    if (store.exists(key)) {
      chunksDeduplicated.increment();
      return 0;
    }
    byte[] frame = codec.encode(BlobType.CHUNK, id.bytes(), plaintext);
    store.put(key, frame);
    chunksWritten.increment();
    chunkBytesStored.add(frame.length);
    chunkPlainBytes.add(plaintext.remaining());
    return frame.length;
  }

  /** The plaintext of chunk {@code id}, verified against its id; ZERO gives chunkSize zero bytes. Never returns wrong bytes. */
  public byte[] readChunk(ChunkId id) throws IOException {
    if (id.isZero()) return new byte[config.chunkSize()];
    String key = BlobKeys.chunk(id);
    byte[] stored;
    try {
      stored = store.get(key);
    } catch (NoSuchBlobException e) {
      throw new MissingBlobException(key, "chunk " + key + " is missing from repository " + name + " (read chunk)",
          "run `ferry repo verify` to see which points are affected; a new capture of the source writes it again");
    }
    byte[] plain = codec.decode(BlobType.CHUNK, id.bytes(), key, stored, config.chunkSize());
    ChunkId actual = hasher.hash(plain);
    if (!actual.equals(id)) throw new CorruptBlobException(name, key, "content does not match its id (recomputed " + actual + ")", BlobFrameReader.CORRUPT_HINT);
    return plain;
  }

  private void checkChunkLength(int length) {
    if (length > config.chunkSize())
      throw new IllegalArgumentException("a chunk of repository " + name + " is at most " + config.chunkSize() + " bytes, got " + length);
  }

  // ---- indexes

  /** A builder for a disk of {@code diskSize} bytes, copy-on-write from {@code parent} (nullable, from this repository). */
  public IndexBuilder newIndex(long diskSize, DiskIndex parent) {
    return new MerkleIndexBuilder(pages, diskSize, parent == null ? null : own(parent));
  }

  /** Opens a committed index; reads its root page (so a missing root fails here). */
  public DiskIndex openIndex(IndexRef ref) throws IOException {
    MerkleIndex index;
    try {
      index = new MerkleIndex(pages, ref);
    } catch (IllegalArgumentException e) {
      throw new RepositoryException("index " + ref + " of repository " + name + " is invalid: " + e.getMessage(), "the manifest that holds it is damaged; run `ferry repo verify`");
    }
    if (!ref.root().isZero()) pages.read(ref.root(), ref.depth() - 1);
    return index;
  }

  private MerkleIndex own(DiskIndex parent) {
    if (parent instanceof MerkleIndex m && m.pages == pages) return m;
    throw new IllegalArgumentException("the parent index must come from this repository (" + name + ")");
  }

  // ---- points

  /** Makes every chunk and page durable, then writes the manifest last (docs/formats.md §7). */
  public PointManifest commitPoint(PointDraft draft) throws IOException {
    validate(draft);
    store.sync();
    Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    String id;
    do {
      id = PointIds.newId(now);
    } while (store.exists(BlobKeys.point(id)));
    PointManifest m = new PointManifest(id, draft.machine(), now, draft.consistency(), draft.parentId(), draft.disks(), draft.attributes());
    byte[] frame = codec.encode(BlobType.MANIFEST, id.getBytes(StandardCharsets.UTF_8), ByteBuffer.wrap(PointManifestCodec.encode(m)));
    store.put(BlobKeys.point(id), frame);
    store.sync();
    return m;
  }

  private void validate(PointDraft d) throws IOException {
    String what = "cannot commit a point of " + d.machine() + " to repository " + name + ": ";
    if (d.machine() == null || d.machine().isBlank()) throw new IllegalArgumentException(what + "machine name is empty");
    if (d.consistency() == null) throw new IllegalArgumentException(what + "consistency is missing");
    if (d.disks().isEmpty()) throw new IllegalArgumentException(what + "no disks");
    Set<String> names = new HashSet<>();
    for (DiskRef disk : d.disks()) {
      if (!names.add(disk.name())) throw new IllegalArgumentException(what + "disk " + disk.name() + " appears twice");
      try {
        new MerkleIndex(pages, disk.index());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(what + "disk " + disk.name() + ": " + e.getMessage());
      }
      ChunkId root = disk.index().root();
      if (!root.isZero() && !store.exists(BlobKeys.page(root)))
        throw new MissingBlobException(BlobKeys.page(root), what + "the index root " + root + " of disk " + disk.name() + " is not in the repository",
            "commit the disk's IndexBuilder before the point");
    }
    if (d.parentId() != null && !store.exists(BlobKeys.point(d.parentId())))
      throw new RepositoryException(what + "parent point " + d.parentId() + " does not exist", "pass the id of a committed point, or null for a first point");
  }

  /** Every committed point, oldest first. A manifest that cannot be read is skipped with a warning (verify reports it). */
  public List<PointManifest> points() throws IOException {
    List<PointManifest> out = new ArrayList<>();
    for (String id : pointIds()) {
      try {
        readManifest(id).ifPresent(out::add);
      } catch (CorruptBlobException e) {
        LOG.log(Level.WARNING, "skipping unreadable point manifest: " + e.getMessage());
      }
    }
    return out;
  }

  /**
   * The newest committed point of {@code machine}, reading manifests newest first and stopping at
   * the first match (point ids sort by time), so a long retention costs one listing, not one read
   * per point. Unreadable manifests are skipped as in {@link #points()}.
   */
  public Optional<PointManifest> latestPoint(String machine) throws IOException {
    List<String> ids = pointIds();
    for (int i = ids.size() - 1; i >= 0; i--) {
      try {
        Optional<PointManifest> m = readManifest(ids.get(i));
        if (m.isPresent() && m.get().machine().equals(machine)) return m;
      } catch (CorruptBlobException e) {
        LOG.log(Level.WARNING, "skipping unreadable point manifest: " + e.getMessage());
      }
    }
    return Optional.empty();
  }

  /** Ids of committed points (keys under {@code points/}), sorted, i.e. oldest first. */
  List<String> pointIds() throws IOException {
    try (Stream<BlobInfo> s = store.list(BlobKeys.POINTS)) {
      return s.map(b -> b.key().substring(BlobKeys.POINTS.length())).filter(PointIds::isValid).sorted().toList();
    }
  }

  public Optional<PointManifest> point(String id) throws IOException {
    if (!PointIds.isValid(id)) return Optional.empty();
    return readManifest(id);
  }

  Optional<PointManifest> readManifest(String id) throws IOException {
    String key = BlobKeys.point(id);
    byte[] stored;
    try {
      stored = store.get(key);
    } catch (NoSuchBlobException e) {
      return Optional.empty();
    }
    byte[] content = codec.decode(BlobType.MANIFEST, id.getBytes(StandardCharsets.UTF_8), key, stored, BlobFrame.MAX_MANIFEST_LENGTH);
    return Optional.of(PointManifestCodec.decode(content, id, key, name));
  }

  /** Removes a point's manifest; its blobs stay until {@link #gc}. */
  public void deletePoint(String id) throws IOException {
    if (!PointIds.isValid(id) || !store.exists(BlobKeys.point(id)))
      throw new RepositoryException("cannot delete point " + id + ": it does not exist in repository " + name, "list the points with `ferry points`");
    store.delete(BlobKeys.point(id));
    store.sync();
  }

  // ---- maintenance

  /** Reads every blob reachable from every point and recomputes every id (docs/formats.md §9). */
  public VerifyReport verify(ProgressListener p) throws IOException {
    return new Verifier(this, p == null ? ProgressListener.NONE : p).run();
  }

  /** Deletes unreferenced blobs older than {@code grace} before {@code now} (docs/formats.md §8). */
  public GcReport gc(Duration grace, Instant now) throws IOException {
    return new GarbageCollector(this).run(grace, now);
  }

  public RepositoryStats stats() {
    return new RepositoryStats(chunksWritten.sum(), chunksDeduplicated.sum(), zeroChunks.sum(), chunkBytesStored.sum(), chunkPlainBytes.sum(),
        pages.pagesWritten.sum(), pages.pageBytesStored.sum());
  }

  IndexPages pages() {
    return pages;
  }

  String name() {
    return name;
  }

  @Override
  public void close() throws IOException {
    if (ownsStore) store.close();
    else store.sync();
  }
}
