package io.ferry.datapath;

import io.ferry.repository.ProgressListener;
import io.ferry.datapath.capture.CaptureOptions;
import io.ferry.datapath.capture.NbdDiskCapture;
import io.ferry.nbd.NbdAddress;
import io.ferry.repository.Repository;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A source NBD server that fails reads or dies mid-capture (real nbdkit, with its error and
 * delay filters): the capture fails with a clear error, commits nothing, and a repository that
 * already held a point stays intact.
 */
class MisbehavingSourceTest {
    private static Process nbdkit(Path socket, String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("nbdkit", "--foreground", "--exit-with-parent", "-U",
                socket.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!Files.exists(socket) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(socket).exists();
        return p;
    }

    private static NbdDiskCapture.Disk disk(Path socket) {
        return new NbdDiskCapture.Disk("vda", new NbdAddress.Unix(socket), "");
    }

    @Test
    void readErrorsFailTheCaptureAndCommitNothing(@TempDir Path dir) throws Exception {
        try (Repository repo = Fixtures.newRepo(dir.resolve("repo"))) {
            Path good = dir.resolve("good.sock");
            Process p = nbdkit(good, "pattern", "16M");
            String first;
            try {
                first = new NbdDiskCapture(repo, CaptureOptions.defaults()).capture("m", List.of(disk(good)),
                        ProgressListener.NONE).point().id();
            } finally {
                p.destroy();
            }
            Path bad = dir.resolve("bad.sock");
            p = nbdkit(bad, "--filter=error", "pattern", "64M", "error-pread=EIO", "error-pread-rate=5%");
            try {
                assertThatThrownBy(() -> new NbdDiskCapture(repo, CaptureOptions.defaults()).capture("m",
                        List.of(disk(bad)), ProgressListener.NONE))
                        .hasMessageContaining("disk vda")
                        .hasMessageContaining("nothing was committed");
            } finally {
                p.destroy();
            }
            assertThat(repo.points()).extracting(x -> x.id()).containsExactly(first);
            assertThat(repo.verify(null).clean()).isTrue();
        }
    }

    @Test
    void aServerThatDiesMidCaptureFailsItWithinTheTimeoutAndCommitsNothing(@TempDir Path dir) throws Exception {
        try (Repository repo = Fixtures.newRepo(dir.resolve("repo"))) {
            Path sock = dir.resolve("slow.sock");
            Process p = nbdkit(sock, "--filter=delay", "pattern", "1G", "rdelay=20ms");
            // the server dies once the capture is well under way (at 16 MiB of 1 GiB)
            ProgressListener killAfter16MiB = (phase, done, total) -> {
                if (done >= 16L << 20 && p.isAlive()) {
                    p.destroyForcibly();
                }
            };
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> new NbdDiskCapture(repo, CaptureOptions.defaults()).capture("m",
                    List.of(disk(sock)), killAfter16MiB))
                    .hasMessageContaining("disk vda")
                    .hasMessageContaining("nothing was committed");
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(30));
            // killed (SIGKILL) by the listener; waitFor lets the JVM reap it before we look
            assertThat(p.waitFor(10, TimeUnit.SECONDS)).as("the server was killed mid-capture").isTrue();
            assertThat(repo.points()).isEmpty();
            assertThat(repo.verify(null).clean()).isTrue();
        }
    }
}
