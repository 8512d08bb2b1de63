package io.ferry.lab;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Positional reads from a disk image, so {@link RecordVerifier} can check a disk through any
 * reader (a file, an NBD client, a repository point). Same contract as
 * {@link java.nio.channels.FileChannel#read(ByteBuffer, long)}.
 */
@FunctionalInterface
public interface RandomRead {
    /** Reads into {@code dst} from byte {@code offset}; returns bytes read, or -1 at end of disk. */
    int read(ByteBuffer dst, long offset) throws IOException;
}
