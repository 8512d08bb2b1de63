package io.ferry.agent;

import io.ferry.protocol.ErrorInfo;
import io.ferry.protocol.RepositoryAssignment;
import io.ferry.protocol.RepositoryReport;
import io.ferry.repository.BlobStore;
import io.ferry.repository.Encryption;
import io.ferry.repository.GcReport;
import io.ferry.repository.PointManifest;
import io.ferry.repository.Repository;
import io.ferry.repository.RepositoryConfig;
import io.ferry.repository.RepositoryException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The repositories this (recovery) agent keeps for source agents, under
 * {@code <state>/repositories/<name>}: created when first assigned, opened for the writers the
 * vault names, pruned of the points the vault expires, swept by GC now and then.
 */
final class RecoveryRepositories implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(RecoveryRepositories.class.getName());
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    private final Path dir;
    private final RepositoryKeys keys;
    private final Duration gcInterval;
    private final Map<String, Kept> kept = new ConcurrentHashMap<>();

    private static final class Kept {
        volatile RepositoryAssignment assignment;
        volatile Repository repo;
        ErrorInfo error;
        final Set<String> deleted = new LinkedHashSet<>();
        final Set<String> purged = new LinkedHashSet<>();
        Instant lastGc = Instant.now();
        volatile boolean gcRunning;
    }

    RecoveryRepositories(Path dir, RepositoryKeys keys, Duration gcInterval) {
        this.dir = dir;
        this.keys = keys;
        this.gcInterval = gcInterval;
    }

    /** The repository {@code name}, if this agent keeps it and it is open. */
    Optional<Repository> repository(String name) {
        Kept k = kept.get(name);
        return k == null ? Optional.empty() : Optional.ofNullable(k.repo);
    }

    /** The store a peer may write, if the vault named it a writer of that repository. */
    Optional<BlobStore> access(String peerHostId, String repository) {
        Kept k = kept.get(repository);
        if (k == null || k.repo == null) return Optional.empty();
        if (k.assignment.writers().contains(peerHostId)) return Optional.of(new WriterStore(k.repo.store(), peerHostId));
        if (k.assignment.readers().contains(peerHostId)) return Optional.of(new ReadOnlyStore(k.repo.store(), peerHostId));
        return Optional.empty();
    }

    /** Brings the repositories to what the vault asks: create, open, delete points, purge machines. */
    synchronized void reconcile(List<RepositoryAssignment> wanted) {
        Set<String> names = new HashSet<>();
        for (RepositoryAssignment a : wanted) {
            names.add(a.name());
            Kept k = kept.computeIfAbsent(a.name(), n -> new Kept());
            k.assignment = a;
            try {
                if (k.repo == null) k.repo = openOrCreate(a);
                k.error = null;
                deletePoints(a, k);
                purgeMachines(a, k);
                maybeGc(a, k);
            } catch (Exception e) {
                k.error = e instanceof RepositoryException re
                        ? ErrorInfo.of("REPOSITORY", re.getMessage(), re.hint())
                        : ErrorInfo.of("REPOSITORY", "repository " + a.name() + " in " + dir + ": " + e.getMessage(),
                        "check the recovery host's disk and the agent log");
                LOG.log(System.Logger.Level.WARNING, "repository " + a.name() + ": " + e.getMessage(), e);
            }
        }
        // repositories no longer assigned stay on disk (points are data); they are only closed
        for (String n : new ArrayList<>(kept.keySet())) {
            if (!names.contains(n)) {
                Kept k = kept.remove(n);
                closeQuietly(k);
            }
        }
    }

    private Repository openOrCreate(RepositoryAssignment a) throws IOException {
        if (!NAME.matcher(a.name()).matches()) {
            throw new RepositoryException("repository name '" + a.name() + "' is not a valid directory name",
                    "use letters, digits, '.', '_' or '-'");
        }
        Path d = dir.resolve(a.name());
        var key = keys.kept(a.name(), a.encryptionKey());
        if (Files.exists(d.resolve("config"))) return Repository.openLocal(d, key);
        RepositoryConfig cfg = RepositoryConfig.defaults().withCompressionLevel(a.compressionLevel())
                .withEncryption(a.encryptionKey() == null ? Encryption.NONE : Encryption.KEYFILE);
        LOG.log(System.Logger.Level.INFO, "creating repository {0} in {1}", a.name(), d);
        return Repository.initLocal(d, cfg, key);
    }

    private void deletePoints(RepositoryAssignment a, Kept k) throws IOException {
        for (String id : a.deletePoints()) {
            if (k.deleted.contains(id)) continue;
            if (k.repo.point(id).isPresent()) k.repo.deletePoint(id);
            k.deleted.add(id);
        }
        k.deleted.retainAll(new HashSet<>(a.deletePoints()));
    }

    private void purgeMachines(RepositoryAssignment a, Kept k) throws IOException {
        for (String machine : a.purgeMachines()) {
            if (k.purged.contains(machine)) continue;
            for (PointManifest p : k.repo.points()) {
                if (p.machine().equals(machine)) k.repo.deletePoint(p.id());
            }
            k.purged.add(machine);
        }
        k.purged.retainAll(new HashSet<>(a.purgeMachines()));
    }

    private void maybeGc(RepositoryAssignment a, Kept k) {
        if (k.gcRunning || Duration.between(k.lastGc, Instant.now()).compareTo(gcInterval) < 0) return;
        k.gcRunning = true;
        k.lastGc = Instant.now();
        Repository repo = k.repo;
        Thread.ofVirtual().name("gc-" + a.name()).start(() -> {
            try {
                GcReport r = repo.gc(Duration.ofSeconds(a.gcGraceSeconds()), Instant.now());
                LOG.log(System.Logger.Level.INFO, "gc of repository {0}: {1}", a.name(), r);
            } catch (Exception e) {
                LOG.log(System.Logger.Level.WARNING, "gc of repository " + a.name() + " failed", e);
            } finally {
                k.gcRunning = false;
            }
        });
    }

    synchronized List<RepositoryReport> reports() {
        List<RepositoryReport> out = new ArrayList<>();
        for (var e : kept.entrySet()) {
            Kept k = e.getValue();
            long chunks = 0, bytes = 0;
            if (k.repo != null) {
                var s = k.repo.stats();
                chunks = s.chunksWritten();
                bytes = s.chunkBytesStored();
            }
            out.add(new RepositoryReport(e.getKey(), k.repo != null && k.error == null, List.copyOf(k.deleted),
                    List.copyOf(k.purged), chunks, bytes, k.error));
        }
        return out;
    }

    private static void closeQuietly(Kept k) {
        if (k != null && k.repo != null) {
            try {
                k.repo.close();
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "closing repository: " + e.getMessage());
            }
        }
    }

    @Override
    public synchronized void close() {
        kept.values().forEach(RecoveryRepositories::closeQuietly);
        kept.clear();
    }
}
