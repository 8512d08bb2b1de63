package io.ferry.datapath.capture;

import io.ferry.hypervisor.BackupSession;
import io.ferry.nbd.NbdAddress;

import java.io.IOException;

/** A running domain's disks frozen by a libvirt pull-mode backup and served by QEMU. */
final class LiveBackupSource implements CaptureSource {
    private final String domain;
    private final BackupSession session;

    LiveBackupSource(String domain, BackupSession session) {
        this.domain = domain;
        this.session = session;
    }

    @Override
    public NbdAddress address(String target) {
        return new NbdAddress.Unix(session.socket());
    }

    @Override
    public String exportName(String target) {
        return session.exportName(target);
    }

    @Override
    public String dirtyContext(String target) {
        return session.dirtyBitmapContext(target);
    }

    @Override
    public String describe() {
        return "libvirt pull-mode backup of domain '" + domain + "' at " + session.socket();
    }

    @Override
    public void close() throws IOException {
        session.close();
    }
}
