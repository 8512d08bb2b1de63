package io.ferry.datapath.restore;

import java.io.IOException;

/** Where a restore writes: a raw file, or any image served writable over NBD (qcow2 via qemu-nbd). */
public interface DiskTarget extends AutoCloseable {
    long size() throws IOException;

    byte[] read(long offset, int length) throws IOException;

    void write(long offset, byte[] data) throws IOException;

    /** Makes {@code [offset, offset+length)} read as zeros (may deallocate). */
    void writeZeroes(long offset, long length) throws IOException;

    /** Makes every write durable. */
    void flush() throws IOException;

    String describe();

    @Override
    void close() throws IOException;
}
