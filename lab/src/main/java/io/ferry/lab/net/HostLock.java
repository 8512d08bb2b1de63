package io.ferry.lab.net;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A host-wide lock (a file lock for other JVMs plus a JVM lock for other threads, since file locks
 * are per process) held while a {@link TwoSiteNetwork} picks its address block and creates its
 * links.
 */
final class HostLock implements AutoCloseable {
    private static final ReentrantLock IN_JVM = new ReentrantLock();
    private static final List<Path> CANDIDATES = List.of(Path.of("/run/lock"), Path.of("/run"),
            Path.of(System.getProperty("java.io.tmpdir")));

    private final FileChannel channel;
    private final FileLock lock;

    private HostLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    static HostLock acquire(String object) {
        Path dir = CANDIDATES.stream().filter(Files::isDirectory).findFirst().orElseThrow();
        Path file = dir.resolve("ferry-netlab.lock");
        IN_JVM.lock();
        try {
            FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            try {
                return new HostLock(ch, ch.lock());
            } catch (IOException | RuntimeException e) {
                ch.close();
                throw e;
            }
        } catch (IOException | RuntimeException e) {
            IN_JVM.unlock();
            throw new NetLabException(object, "lock " + file, e.toString(),
                    "is " + dir + " writable? are you root?");
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
            channel.close();
        } catch (IOException ignored) {
            // closing the channel releases the lock anyway
        } finally {
            IN_JVM.unlock();
        }
    }
}
