package io.ferry.nbd;

/**
 * One block status extent: {@code length} bytes starting at {@code offset} that share
 * the same status {@code flags}, exactly as the server sent them for the meta context.
 *
 * <p>For {@code base:allocation}: bit 0 = HOLE (unallocated), bit 1 = ZERO (reads as
 * zeroes). For {@code qemu:dirty-bitmap:NAME}: bit 0 = DIRTY.
 */
public record Extent(long offset, long length, int flags) {

    public Extent {
        if (offset < 0 || length < 0) {
            throw new IllegalArgumentException("negative extent: offset=" + offset + " length=" + length);
        }
    }

    /** First byte after this extent. */
    public long end() {
        return offset + length;
    }

    /** base:allocation bit 0: the range is a hole (not allocated). */
    public boolean isHole() {
        return (flags & 1) != 0;
    }

    /** base:allocation bit 1: the range reads as zeroes. */
    public boolean isZero() {
        return (flags & 2) != 0;
    }

    /** qemu:dirty-bitmap bit 0: the range is dirty (same bit as {@link #isHole()}). */
    public boolean isDirty() {
        return (flags & 1) != 0;
    }
}
