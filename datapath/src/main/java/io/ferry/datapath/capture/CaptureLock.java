package io.ferry.datapath.capture;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One capture per domain per host at a time: an exclusive lock on
 * {@code /run/ferry/capture-<domain>.lock} (directory overridable with {@code FERRY_RUN_DIR}).
 * The kernel releases it when the process dies, so holding it also proves that a backup job
 * still running on the domain was left behind by a capture that died, and may be ended.
 */
final class CaptureLock implements AutoCloseable {
    private final FileChannel channel;
    private final FileLock lock;

    private CaptureLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    static CaptureLock acquire(String domain) throws IOException {
        String dir = System.getenv().getOrDefault("FERRY_RUN_DIR", "/run/ferry");
        Path d = Path.of(dir);
        Files.createDirectories(d);
        Path file = d.resolve("capture-" + domain.replaceAll("[^A-Za-z0-9_.-]", "_") + ".lock");
        FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        FileLock l;
        try {
            l = ch.tryLock();
        } catch (IOException e) {
            ch.close();
            throw e;
        }
        if (l == null) {
            String holder = new String(Files.readAllBytes(file), StandardCharsets.UTF_8).trim();
            ch.close();
            throw new IOException("capture of domain '" + domain + "' refused: another capture of it is running"
                    + (holder.isEmpty() ? "" : " (" + holder + ")") + "; hint: wait for it to finish");
        }
        ch.truncate(0);
        ch.write(ByteBuffer.wrap(("pid " + ProcessHandle.current().pid()).getBytes(StandardCharsets.UTF_8)), 0);
        return new CaptureLock(ch, l);
    }

    @Override
    public void close() throws IOException {
        try {
            lock.release();
        } finally {
            channel.close();
        }
    }
}
