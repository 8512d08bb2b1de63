package io.ferry.cli;

import io.ferry.datapath.restore.DiskTarget;
import io.ferry.datapath.restore.ImageFormat;
import io.ferry.datapath.restore.Materializer;
import io.ferry.datapath.restore.NbdTarget;
import io.ferry.datapath.restore.PointDisk;
import io.ferry.datapath.restore.RawFileTarget;
import io.ferry.datapath.restore.RestoreResult;
import io.ferry.repository.PointManifest;
import io.ferry.repository.Repository;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code ferry restore POINT}: materialize one disk of a point into an image. */
@Command(name = "restore", mixinStandardHelpOptions = true,
        description = {"Write one disk of a recovery point into a new image, or in place into an existing one",
                "(in place writes only the chunks whose digest differs and reports how much it wrote)."})
final class RestoreCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;
    @Mixin
    RepoOptions repoOptions;
    @Parameters(index = "0", paramLabel = "POINT", description = "Point id, or MACHINE:latest")
    String pointRef;
    @Option(names = "--disk", defaultValue = "vda", description = "Disk target name (default ${DEFAULT-VALUE}).")
    String disk;
    @Option(names = "--to", required = true, paramLabel = "FILE", description = "Image to write.")
    Path to;
    @Option(names = "--format", defaultValue = "qcow2", description = "raw or qcow2 (default ${DEFAULT-VALUE}).")
    String format;
    @Option(names = "--in-place", description = "Write into the existing image, only chunks that differ.")
    boolean inPlace;
    @Option(names = "--workers", description = "Threads (default: number of cores).")
    Integer workers;
    @Option(names = {"-o", "--output"}, defaultValue = "TABLE", description = "table or json")
    OutputFormat output;

    @Override
    public Integer call() throws Exception {
        ImageFormat fmt = ImageFormat.parse(format);
        RestoreResult r;
        try (Repository repo = repoOptions.open();
             ProgressBars bars = new ProgressBars(output == OutputFormat.TABLE)) {
            PointManifest point = Points.resolve(repo, pointRef);
            PointDisk pd = new PointDisk(repo, point, disk);
            Materializer m = new Materializer(repo, workers == null ? Runtime.getRuntime().availableProcessors() : workers);
            if (inPlace) {
                try (DiskTarget target = fmt == ImageFormat.RAW ? RawFileTarget.open(to) : NbdTarget.open(to, fmt.qemuName())) {
                    r = m.inPlace(pd, target, bars);
                }
            } else {
                r = m.toNewImage(pd, to, fmt, bars);
            }
        }
        var out = spec.commandLine().getOut();
        if (output == OutputFormat.JSON) {
            Printer.json(out, r);
        } else {
            out.printf("restored disk %s (%s) into %s in %.1f s: %d of %d chunks written (%s)%s%n", r.disk(),
                    Printer.bytes(r.size()), r.target(), r.elapsed().toMillis() / 1000.0, r.chunksWritten(), r.chunks(),
                    Printer.bytes(r.bytesWritten()),
                    inPlace ? ", " + r.chunksCompared() + " chunks compared" : "");
        }
        return 0;
    }
}
