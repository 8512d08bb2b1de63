package io.ferry.cli;

import io.ferry.repository.Encryption;
import io.ferry.repository.GcReport;
import io.ferry.repository.KeySource;
import io.ferry.repository.PointManifest;
import io.ferry.repository.Repository;
import io.ferry.repository.RepositoryConfig;
import io.ferry.repository.VerifyReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code ferry repo …}: repository tools that work without a vault. */
@Command(name = "repo", mixinStandardHelpOptions = true, description = "Create, list, verify and clean a repository.",
        subcommands = {RepoCommand.Init.class, RepoCommand.Ls.class, RepoCommand.Verify.class, RepoCommand.Gc.class})
final class RepoCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    static int parseSize(String s) {
        String t = s.trim().toUpperCase();
        int mult = 1;
        if (t.endsWith("K") || t.endsWith("KIB")) {
            mult = 1024;
            t = t.replaceAll("KIB$|K$", "");
        } else if (t.endsWith("M") || t.endsWith("MIB")) {
            mult = 1024 * 1024;
            t = t.replaceAll("MIB$|M$", "");
        }
        try {
            return Math.multiplyExact(Integer.parseInt(t.trim()), mult);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("size '" + s + "' is not a number of bytes, K or M (e.g. 256K)");
        }
    }

    @Command(name = "init", mixinStandardHelpOptions = true, description = "Create a new repository in an empty directory.")
    static final class Init implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Parameters(index = "0", paramLabel = "DIR")
        Path dir;
        @Option(names = "--chunk-size", defaultValue = "256K", description = "Chunk size, a power of two from 64K to 4M (default ${DEFAULT-VALUE}).")
        String chunkSize;
        @Option(names = "--compression-level", defaultValue = "1", description = "zstd level (default ${DEFAULT-VALUE}).")
        int level;
        @Option(names = "--passphrase-file", paramLabel = "FILE", description = "Encrypt with a key wrapped by this passphrase.")
        Path passphraseFile;
        @Option(names = "--key-file", paramLabel = "FILE", description = "Encrypt with a key wrapped by this 32-byte key file.")
        Path keyFile;
        @Option(names = {"-o", "--output"}, defaultValue = "TABLE")
        OutputFormat output;

        @Override
        public Integer call() throws Exception {
            RepoOptions ro = new RepoOptions();
            ro.repo = dir;
            ro.passphraseFile = passphraseFile;
            ro.keyFile = keyFile;
            KeySource key = ro.keySource();
            Encryption enc = switch (key) {
                case KeySource.None n -> Encryption.NONE;
                case KeySource.Passphrase p -> Encryption.PASSPHRASE;
                case KeySource.KeyFile k -> Encryption.KEYFILE;
            };
            RepositoryConfig cfg = RepositoryConfig.defaults().withChunkSize(parseSize(chunkSize))
                    .withCompressionLevel(level).withEncryption(enc);
            try (Repository repo = Repository.initLocal(dir, cfg, key)) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("repository", dir.toString());
                m.put("id", repo.id());
                m.put("chunkSize", repo.chunkSize());
                m.put("encrypted", repo.encrypted());
                if (output == OutputFormat.JSON) {
                    Printer.json(spec.commandLine().getOut(), m);
                } else {
                    spec.commandLine().getOut().printf("created repository %s at %s (chunk size %s%s)%n", repo.id(),
                            dir, Printer.bytes(repo.chunkSize()), repo.encrypted() ? ", encrypted" : "");
                }
            }
            return 0;
        }
    }

    @Command(name = "ls", mixinStandardHelpOptions = true, description = "List the recovery points.")
    static final class Ls implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        RepoOptions repoOptions;
        @Option(names = "--machine", description = "Only this machine's points.")
        String machine;
        @Option(names = {"-o", "--output"}, defaultValue = "TABLE")
        OutputFormat output;

        @Override
        public Integer call() throws Exception {
            try (Repository repo = repoOptions.open()) {
                List<PointManifest> points = repo.points().stream()
                        .filter(p -> machine == null || p.machine().equals(machine)).toList();
                var out = spec.commandLine().getOut();
                if (output == OutputFormat.JSON) {
                    Printer.json(out, points);
                    return 0;
                }
                List<List<String>> rows = new ArrayList<>();
                for (PointManifest p : points) {
                    rows.add(List.of(p.id(), p.machine(), p.createdAt().toString(), p.consistency().name().toLowerCase(),
                            p.attributes().getOrDefault("mode", "-"),
                            String.join(",", p.disks().stream().map(d -> d.name() + ":" + Printer.bytes(d.size())).toList())));
                }
                Printer.table(out, List.of("POINT", "MACHINE", "CREATED", "CONSISTENCY", "MODE", "DISKS"), rows);
            }
            return 0;
        }
    }

    @Command(name = "verify", mixinStandardHelpOptions = true,
            description = {"Recompute the digest of every blob every point references.",
                    "Exit 0 when clean, 3 when blobs are missing or corrupt (each listed with the points it affects)."})
    static final class Verify implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        RepoOptions repoOptions;
        @Option(names = {"-o", "--output"}, defaultValue = "TABLE")
        OutputFormat output;

        @Override
        public Integer call() throws Exception {
            VerifyReport r;
            try (Repository repo = repoOptions.open(); ProgressBars bars = new ProgressBars(output == OutputFormat.TABLE)) {
                r = repo.verify(bars);
            }
            var out = spec.commandLine().getOut();
            if (output == OutputFormat.JSON) {
                Printer.json(out, r);
            } else {
                out.printf("checked %d points, %d blobs (%s): %s%n", r.pointsChecked(), r.blobsChecked(),
                        Printer.bytes(r.bytesChecked()), r.clean() ? "clean" : r.damaged().size() + " damaged blob(s)");
                for (VerifyReport.DamagedBlob d : r.damaged()) {
                    out.printf("  %s %s: %s%n    affects points: %s%n", d.kind().name().toLowerCase(), d.key(), d.reason(),
                            String.join(", ", d.affected().stream().map(a -> a.pointId() + " (" + a.disk() + ")").toList()));
                }
                if (!r.clean()) {
                    out.println("hint: restoring an affected point fails rather than return wrong data; re-capture the"
                            + " machine (chunks are stored again) or restore from a point that is not affected");
                }
            }
            return r.clean() ? 0 : 3;
        }
    }

    @Command(name = "gc", mixinStandardHelpOptions = true,
            description = "Delete blobs no point references, once older than the grace period.")
    static final class Gc implements Callable<Integer> {
        @Spec
        CommandSpec spec;
        @Mixin
        RepoOptions repoOptions;
        @Option(names = "--grace", defaultValue = "PT1H", description = "ISO-8601 duration (default ${DEFAULT-VALUE}); e.g. PT10M, PT0S.")
        Duration grace;
        @Option(names = {"-o", "--output"}, defaultValue = "TABLE")
        OutputFormat output;

        @Override
        public Integer call() throws Exception {
            GcReport r;
            try (Repository repo = repoOptions.open()) {
                r = repo.gc(grace, Instant.now());
            }
            var out = spec.commandLine().getOut();
            if (output == OutputFormat.JSON) {
                Printer.json(out, r);
            } else {
                out.printf("deleted %d blobs (%s), kept %d unreferenced blobs younger than %s, removed %d temporary files%n",
                        r.blobsDeleted(), Printer.bytes(r.bytesFreed()), r.unreferencedWithinGrace(), grace,
                        r.temporariesDeleted());
            }
            return 0;
        }
    }
}
