package io.ferry.agent;

import io.ferry.repository.BlobStore;

import java.io.IOException;

/**
 * What a reader gets of a repository over the data channel (a failback's alternate host reading
 * the reverse repository): a {@link WriterStore}'s get, exists and list; every write or delete is
 * refused.
 */
final class ReadOnlyStore extends WriterStore {
    ReadOnlyStore(BlobStore inner, String peer) {
        super(inner, peer);
    }

    @Override
    public void put(String key, byte[] data) throws IOException {
        throw refused("write " + key);
    }

    @Override
    public void delete(String key) throws IOException {
        throw refused("delete " + key);
    }

    @Override
    public void sync() {
        // nothing was written through this view
    }

    private IOException refused(String what) {
        return new IOException("host " + peer() + " may only read repository " + location() + ", not " + what
                + "; hint: the vault lets it read there for a failback, the recovery site writes");
    }
}
