package io.ferry.agent;

import io.ferry.repository.BlobInfo;
import io.ferry.repository.BlobStore;

import java.io.IOException;
import java.util.stream.Stream;

/**
 * What a source agent gets of a repository over the data channel: it may read, list and add
 * blobs, never delete one, and never replace a point manifest or the repository's config. A
 * compromised primary host can then not destroy the recovery points that are there to survive
 * it; retention and GC run on the recovery agent itself.
 */
class WriterStore implements BlobStore {
    private final BlobStore inner;
    private final String peer;

    WriterStore(BlobStore inner, String peer) {
        this.inner = inner;
        this.peer = peer;
    }

    /** The host this view is for. */
    final String peer() {
        return peer;
    }

    @Override
    public void put(String key, byte[] data) throws IOException {
        if ((key.startsWith("points/") || key.equals("config")) && inner.exists(key)) {
            throw new IOException("host " + peer + " may not replace " + key + " in repository " + inner.location()
                    + "; hint: points are immutable, a capture writes a new one");
        }
        inner.put(key, data);
    }

    @Override
    public byte[] get(String key) throws IOException {
        return inner.get(key);
    }

    @Override
    public boolean exists(String key) throws IOException {
        return inner.exists(key);
    }

    @Override
    public void delete(String key) throws IOException {
        throw new IOException("host " + peer + " may not delete " + key + " from repository " + inner.location()
                + "; hint: retention and garbage collection run on the recovery agent");
    }

    @Override
    public Stream<BlobInfo> list(String prefix) throws IOException {
        return inner.list(prefix);
    }

    @Override
    public void sync() throws IOException {
        inner.sync();
    }

    @Override
    public String location() {
        return inner.location();
    }

    @Override
    public void close() {
        // the recovery agent owns the store
    }
}
