package io.ferry.cli;

import io.ferry.datapath.restore.PointDisk;
import io.ferry.datapath.restore.PointExport;
import io.ferry.nbd.ExportSource;
import io.ferry.nbd.NbdAddress;
import io.ferry.nbd.NbdServer;
import io.ferry.repository.DiskRef;
import io.ferry.repository.PointManifest;
import io.ferry.repository.Repository;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code ferry export POINT}: serve a point read-only over NBD until interrupted. */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = {"Serve the disks of a recovery point read-only over NBD, one export per disk (named vda, vdb…),",
                "until interrupted. QEMU can boot from it through a qcow2 overlay:",
                "  qemu-img create -f qcow2 -F raw -b 'nbd+unix:///vda?socket=SOCK' overlay.qcow2",
                "The socket is readable only by the user running ferry unless --socket-owner names another",
                "(QEMU under libvirt runs as libvirt-qemu). TCP exports have no access control: loopback only by default."})
final class ExportCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    RepoOptions repoOptions;
    @Parameters(index = "0", paramLabel = "POINT", description = "Point id, or MACHINE:latest")
    String pointRef;
    @Option(names = "--socket", paramLabel = "PATH", description = "Unix socket to listen on.")
    Path socket;
    @Option(names = "--port", description = "TCP port to listen on (loopback unless --bind).")
    Integer port;
    @Option(names = "--bind", defaultValue = "127.0.0.1", description = "TCP address (default ${DEFAULT-VALUE}).")
    String bind;
    @Option(names = "--socket-owner", paramLabel = "USER", description = {"Give the socket to this user (mode 0600),",
            "e.g. libvirt-qemu so that a libvirt domain can boot from the export. Default: only the user running ferry."})
    String socketOwner;

    @Override
    public Integer call() throws Exception {
        if ((socket == null) == (port == null)) {
            throw new IllegalArgumentException("give exactly one of --socket PATH or --port N");
        }
        try (Repository repo = repoOptions.open()) {
            PointManifest point = Points.resolve(repo, pointRef);
            Map<String, ExportSource> exports = new LinkedHashMap<>();
            for (DiskRef d : point.disks()) {
                exports.put(d.name(), new PointExport(new PointDisk(repo, point, d.name())));
            }
            NbdAddress addr = socket != null ? new NbdAddress.Unix(socket) : new NbdAddress.Tcp(bind, port);
            CountDownLatch stop = new CountDownLatch(1);
            var access = socketOwner == null ? io.ferry.nbd.UnixSocketAccess.OWNER_ONLY
                    : io.ferry.nbd.UnixSocketAccess.forUser(socketOwner);
            try (NbdServer server = NbdServer.start(addr, exports, access)) {
                Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
                var out = spec.commandLine().getOut();
                out.println("exporting point " + point.id() + " of " + point.machine() + " on " + server.address());
                for (String name : exports.keySet()) {
                    out.println("  " + name + ": " + server.address().toUri(name));
                }
                out.println("press Ctrl-C to stop");
                out.flush();
                stop.await();
            }
        }
        return 0;
    }
}
