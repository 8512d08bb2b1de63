package io.ferry.datapath.capture;

import io.ferry.hypervisor.DiskInfo;
import io.ferry.hypervisor.QemuNbd;
import io.ferry.nbd.NbdAddress;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A powered-off domain's disk images served read-only by {@code qemu-nbd}, with the
 * checkpoint's persistent bitmap exported as {@code qemu:dirty-bitmap:<checkpoint>} for an
 * incremental.
 */
final class OfflineDiskSource implements CaptureSource {
    private final String domain;
    private final String bitmap;
    private final Map<String, QemuNbd> exports = new LinkedHashMap<>();
    private final Path socketDir;

    OfflineDiskSource(String domain, List<DiskInfo> disks, String bitmap) throws IOException {
        this.domain = domain;
        this.bitmap = bitmap;
        this.socketDir = Files.createTempDirectory("ferry-offline-");
        try {
            for (DiskInfo d : disks) {
                exports.put(d.target(), QemuNbd.exportReadOnly(d.source(), d.format(), bitmap,
                        socketDir.resolve(d.target() + ".sock")));
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    @Override
    public NbdAddress address(String target) {
        return new NbdAddress.Unix(exports.get(target).socket());
    }

    @Override
    public String exportName(String target) {
        return exports.get(target).exportName();
    }

    @Override
    public String dirtyContext(String target) {
        return bitmap == null ? null : "qemu:dirty-bitmap:" + bitmap;
    }

    @Override
    public String describe() {
        return "qemu-nbd export of the disks of powered-off domain '" + domain + "'";
    }

    @Override
    public void close() throws IOException {
        IOException first = null;
        for (QemuNbd q : exports.values()) {
            try {
                q.close();
            } catch (Exception e) {
                if (first == null) {
                    first = e instanceof IOException io ? io : new IOException(e);
                }
            }
        }
        exports.clear();
        try (var s = Files.list(socketDir)) {
            for (Path p : s.toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException ignored) {
            // best effort
        }
        Files.deleteIfExists(socketDir);
        if (first != null) {
            throw first;
        }
    }
}
