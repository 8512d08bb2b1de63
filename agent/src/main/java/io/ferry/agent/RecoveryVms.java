package io.ferry.agent;

import io.ferry.hypervisor.Libvirt;
import io.ferry.protocol.RecoveryVmAssignment;
import io.ferry.protocol.RecoveryVmReport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The recovery VMs this agent runs from points of its repositories (docs/operations.md,
 * "Failover and test failover"): one {@link RecoveryVmRunner} per VM, brought to what the vault
 * wants on every heartbeat. What was created is kept in {@code recovery-vms.json}, so a restarted
 * agent serves its exports again and removes what it should no longer run.
 */
final class RecoveryVms implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(RecoveryVms.class.getName());

    /** Where the VMs' overlays, sockets and console files go. */
    record Places(Path images, Path sockets, Path consoles) {
        static Places standard() {
            return new Places(Libvirt.RECOVERY_IMAGES, Libvirt.SOCKET_DIR, Libvirt.RECOVERY_CONSOLES);
        }
    }

    private final Libvirt libvirt;
    private final RecoveryRepositories repositories;
    private final Path stateFile;
    private final Places places;
    private final Map<String, RecoveryVmRunner> runners = new LinkedHashMap<>();
    private final Map<String, RecoveryVmRecord> records = new LinkedHashMap<>();

    RecoveryVms(Libvirt libvirt, RecoveryRepositories repositories, Path stateFile, Places places) {
        this.libvirt = libvirt;
        this.repositories = repositories;
        this.stateFile = stateFile;
        this.places = places;
        for (RecoveryVmRecord r : RecoveryVmRecord.load(stateFile)) records.put(r.id(), r);
    }

    /** After a restart: the exports of VMs that still read them are served again before anything else. */
    void resume() {
        Map<RecoveryVmRunner, RecoveryVmRecord> todo = new LinkedHashMap<>();
        synchronized (this) {
            for (RecoveryVmRecord r : records.values()) todo.put(runner(r.id()), r);
        }
        // outside this object's lock: a runner takes its own lock first, then this one
        todo.forEach(RecoveryVmRunner::resume);
    }

    synchronized void reconcile(List<RecoveryVmAssignment> wanted) {
        Set<String> ids = new HashSet<>();
        for (RecoveryVmAssignment a : wanted) {
            ids.add(a.id());
            runner(a.id()).want(a);
        }
        for (var it = runners.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            if (ids.contains(e.getKey())) continue;
            RecoveryVmRunner r = e.getValue();
            if (r.finished()) {
                it.remove();
            } else {
                r.want(null); // a drill nobody wants is removed; a failover VM is never removed for being unlisted
            }
        }
    }

    synchronized List<RecoveryVmReport> reports() {
        List<RecoveryVmReport> out = new ArrayList<>();
        for (RecoveryVmRunner r : runners.values()) out.add(r.report());
        return out;
    }

    private RecoveryVmRunner runner(String id) {
        return runners.computeIfAbsent(id, k -> new RecoveryVmRunner(k, libvirt, repositories, places, this));
    }

    synchronized RecoveryVmRecord record(String id) {
        return records.get(id);
    }

    synchronized void save(RecoveryVmRecord r) {
        records.put(r.id(), r);
        persist();
    }

    synchronized void forget(String id) {
        if (records.remove(id) != null) persist();
    }

    private void persist() {
        try {
            RecoveryVmRecord.save(stateFile, List.copyOf(records.values()));
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot keep the recovery VMs in " + stateFile + ": " + e.getMessage());
        }
    }

    @Override
    public void close() {
        List<RecoveryVmRunner> all;
        synchronized (this) {
            all = List.copyOf(runners.values());
        }
        all.forEach(RecoveryVmRunner::close); // outside this lock: a runner may hold its own and wait for this one
    }

    static void ensureDir(Path dir, boolean qemuWritable) throws IOException {
        Files.createDirectories(dir);
        if (qemuWritable) {
            try {
                Files.setOwner(dir, dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("libvirt-qemu"));
            } catch (java.nio.file.attribute.UserPrincipalNotFoundException e) {
                // no libvirt-qemu user (QEMU runs as root): nothing to share
            }
        }
    }
}
