package io.ferry.datapath.restore;

import java.time.Duration;

/**
 * What one restore of one disk did.
 *
 * @param chunksCompared chunks of the target read and compared by digest (in place only)
 * @param chunksWritten chunks written to the target (data or zeros)
 * @param bytesWritten bytes written to the target, zeros included
 * @param bytesReadFromTarget bytes read from the target to compare (in place only)
 */
public record RestoreResult(String disk, String target, long size, long chunks, long chunksCompared,
                            long chunksWritten, long bytesWritten, long bytesReadFromTarget, Duration elapsed) { }
