package io.ferry.e2e;

import io.ferry.datapath.restore.ImageFormat;
import io.ferry.datapath.restore.Materializer;
import io.ferry.datapath.restore.PointDisk;
import io.ferry.lab.RecordVerifier;
import io.ferry.lab.VerifyResult;
import io.ferry.repository.KeySource;
import io.ferry.repository.PointManifest;
import io.ferry.repository.ProgressListener;
import io.ferry.repository.Repository;

import java.nio.file.Files;
import java.nio.file.Path;

/** Restores a point from the recovery site's repository and runs the guest's record verifier on it. */
final class PointCheck {
    private PointCheck() {}

    static VerifyResult verify(Path repoDir, String pointId, Path scratch) throws Exception {
        return verify(repoDir, pointId, scratch, new KeySource.None());
    }

    static VerifyResult verify(Path repoDir, String pointId, Path scratch, KeySource key) throws Exception {
        try (Repository repo = Repository.openLocal(repoDir, key)) {
            PointManifest m = repo.point(pointId).orElseThrow(() -> new AssertionError("point " + pointId + " is not in " + repoDir));
            Path raw = scratch.resolve(pointId + ".raw");
            try {
                new Materializer(repo, 2).toNewImage(new PointDisk(repo, m, "vda"), raw, ImageFormat.RAW, ProgressListener.NONE);
                return RecordVerifier.verify(raw);
            } finally {
                Files.deleteIfExists(raw);
            }
        }
    }
}
