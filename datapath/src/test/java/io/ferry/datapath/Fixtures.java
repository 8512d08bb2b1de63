package io.ferry.datapath;

import io.ferry.repository.ProgressListener;
import io.ferry.datapath.restore.ImageFormat;
import io.ferry.datapath.restore.Materializer;
import io.ferry.datapath.restore.PointDisk;
import io.ferry.datapath.restore.RestoreResult;
import io.ferry.lab.RecordVerifier;
import io.ferry.lab.VerifyResult;
import io.ferry.repository.KeySource;
import io.ferry.repository.PointManifest;
import io.ferry.repository.Repository;
import io.ferry.repository.RepositoryConfig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Shared helpers of the data-path tests. */
final class Fixtures {
    static final int CHUNK = 256 * 1024;

    private Fixtures() { }

    static Repository newRepo(Path dir) throws IOException {
        return Repository.initLocal(dir, RepositoryConfig.defaults(), new KeySource.None());
    }

    static Path restoreRaw(Repository repo, PointManifest p, String disk, Path dir) throws IOException {
        Path out = dir.resolve(p.id() + "-" + disk + ".raw");
        Files.deleteIfExists(out);
        RestoreResult r = new Materializer(repo, 2).toNewImage(new PointDisk(repo, p, disk), out, ImageFormat.RAW,
                ProgressListener.NONE);
        if (r.size() != Files.size(out)) {
            throw new AssertionError("restored image has " + Files.size(out) + " bytes, expected " + r.size());
        }
        return out;
    }

    static VerifyResult verifyRecords(Repository repo, PointManifest p, Path dir) throws IOException {
        Path raw = restoreRaw(repo, p, "vda", dir);
        try {
            return RecordVerifier.verify(raw);
        } finally {
            Files.deleteIfExists(raw);
        }
    }

    static boolean sameBytes(Path a, Path b) throws IOException {
        return Files.mismatch(a, b) == -1L;
    }
}
