package io.ferry.cli;

import io.ferry.datapath.capture.MachineCapture;
import io.ferry.repository.PointManifest;
import io.ferry.repository.Repository;

import java.io.IOException;

/** Resolves what the operator typed into a point: an id, or {@code MACHINE:latest}. */
final class Points {
    private Points() { }

    static PointManifest resolve(Repository repo, String ref) throws IOException {
        if (ref.endsWith(":latest")) {
            String machine = ref.substring(0, ref.length() - ":latest".length());
            PointManifest latest = MachineCapture.latestPoint(repo, machine);
            if (latest == null) {
                throw new IllegalArgumentException("machine '" + machine + "' has no recovery point in this repository;"
                        + " hint: list points with `ferry repo ls`");
            }
            return latest;
        }
        return repo.point(ref).orElseThrow(() -> new IllegalArgumentException("no recovery point '" + ref
                + "' in this repository; hint: list points with `ferry repo ls`, or use MACHINE:latest"));
    }
}
