package io.ferry.datapath.restore;

import io.ferry.repository.ChunkId;
import io.ferry.repository.DiskIndex;
import io.ferry.repository.DiskRef;
import io.ferry.repository.PointManifest;
import io.ferry.repository.Repository;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One disk of one recovery point, readable at any offset. Chunks come from the repository,
 * which verifies each against its digest: a damaged chunk fails the read, it never returns
 * wrong bytes. A small cache of decoded chunks serves sequential readers.
 */
public final class PointDisk {
    private static final int CACHE_CHUNKS = 32;

    private final Repository repo;
    private final PointManifest point;
    private final DiskRef disk;
    private final DiskIndex index;
    private final int chunkSize;
    private final Map<Long, byte[]> cache = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Long, byte[]> eldest) {
            return size() > CACHE_CHUNKS;
        }
    };

    public PointDisk(Repository repo, PointManifest point, String diskName) throws IOException {
        this.repo = repo;
        this.point = point;
        this.disk = point.findDisk(diskName).orElse(null);
        if (disk == null) {
            throw new IllegalArgumentException("point " + point.id() + " of machine '" + point.machine() + "' has no disk '"
                    + diskName + "'; hint: its disks are " + point.disks().stream().map(DiskRef::name).toList());
        }
        this.index = repo.openIndex(disk.index());
        this.chunkSize = repo.chunkSize();
    }

    public long size() { return disk.size(); }

    public int chunkSize() { return chunkSize; }

    public DiskIndex index() { return index; }

    public PointManifest point() { return point; }

    public String name() { return disk.name(); }

    public ChunkId chunkId(long chunk) throws IOException {
        return index.chunk(chunk);
    }

    /** The plaintext of chunk {@code chunk} (length chunkSize, or shorter for the last one); verified. */
    public byte[] chunk(long chunk) throws IOException {
        synchronized (cache) {
            byte[] hit = cache.get(chunk);
            if (hit != null) {
                return hit;
            }
        }
        byte[] data = load(chunk);
        synchronized (cache) {
            cache.put(chunk, data);
        }
        return data;
    }

    /** Reads the chunk without caching it (bulk restore). */
    public byte[] load(long chunk) throws IOException {
        ChunkId id = index.chunk(chunk);
        int length = (int) Math.min(chunkSize, disk.size() - chunk * chunkSize);
        if (id.isZero()) {
            return new byte[length];
        }
        byte[] data;
        try {
            data = repo.readChunk(id);
        } catch (IOException e) {
            throw new IOException("reading chunk " + chunk + " (offset " + chunk * chunkSize + ") of disk "
                    + disk.name() + " of point " + point.id() + ": " + e.getMessage(), e);
        }
        if (data.length < length) {
            throw new IOException("chunk " + id.hex() + " of disk " + disk.name() + " of point " + point.id()
                    + " holds " + data.length + " bytes, expected " + length
                    + "; hint: run `ferry repo verify` on the repository");
        }
        if (data.length > length) {
            data = java.util.Arrays.copyOf(data, length);
        }
        return data;
    }

    /** Copies {@code length} bytes at {@code offset} into {@code dst} at {@code dstOffset}. */
    public void read(long offset, byte[] dst, int dstOffset, int length) throws IOException {
        if (offset < 0 || length < 0 || offset + length > disk.size()) {
            throw new IOException("read of " + length + " bytes at " + offset + " is outside disk " + disk.name()
                    + " of point " + point.id() + " (" + disk.size() + " bytes)");
        }
        while (length > 0) {
            long c = offset / chunkSize;
            int within = (int) (offset - c * chunkSize);
            byte[] data = chunk(c);
            int n = Math.min(length, data.length - within);
            System.arraycopy(data, within, dst, dstOffset, n);
            offset += n;
            dstOffset += n;
            length -= n;
        }
    }
}
