package io.ferry.cli;

import io.ferry.hypervisor.QemuImg;
import io.ferry.hypervisor.QemuNbd;
import io.ferry.nbd.NbdAddress;
import io.ferry.nbd.NbdClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The ferry command end to end on a disk image (no VM): repo init, capture (full, then resync),
 * ls, restore (new image and in place), verify (clean, then with a corrupted chunk), gc, export.
 */
class CliImageTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final int MIB = 1 << 20;

    private static void writeRandom(Path image, Path dir, long seed, long... offsets) throws Exception {
        QemuNbd q = QemuNbd.exportWritable(image, "qcow2", dir.resolve("w-" + seed + ".sock"));
        try (NbdClient c = NbdClient.connect(new NbdAddress.Unix(q.socket()), "", List.of())) {
            Random r = new Random(seed);
            byte[] data = new byte[MIB];
            for (long off : offsets) {
                r.nextBytes(data);
                c.write(off, data, 0, data.length);
            }
            c.flush();
        } finally {
            q.close();
        }
    }

    private static JsonNode json(CliProcess.Result r) {
        assertThat(r.exit()).as(r.err()).isZero();
        return JSON.readTree(r.out());
    }

    @Test
    void theWholeRepositoryCycleThroughTheCommandLine(@TempDir Path dir) throws Exception {
        Path img = dir.resolve("disk.qcow2");
        QemuImg.create(img, "qcow2", 64L * MIB);
        writeRandom(img, dir, 1, 0, 8L * MIB, 9L * MIB, 40L * MIB);
        String repo = dir.resolve("repo").toString();

        JsonNode init = json(CliProcess.run("repo", "init", repo, "--chunk-size", "256K", "-o", "json"));
        assertThat(init.get("chunkSize").asInt()).isEqualTo(256 * 1024);

        JsonNode full = json(CliProcess.run("capture", "m1", "--repo", repo, "--image", img.toString(), "-o", "json"));
        assertThat(full.get("mode").asString()).isEqualTo("full");
        assertThat(full.get("bytesRead").asLong()).as("holes are not read").isEqualTo(4L * MIB);

        writeRandom(img, dir, 2, 9L * MIB); // one MiB changes: four 256 KiB chunks
        JsonNode second = json(CliProcess.run("capture", "m1", "--repo", repo, "--image", img.toString(), "-o", "json"));
        assertThat(second.get("mode").asString()).isEqualTo("resync");
        assertThat(second.get("disks").get(0).get("chunksStored").asLong()).isEqualTo(4);

        JsonNode points = json(CliProcess.run("repo", "ls", "--repo", repo, "-o", "json"));
        assertThat(points.size()).isEqualTo(2);
        String firstId = points.get(0).get("id").asString();

        Path restored = dir.resolve("restored.qcow2");
        json(CliProcess.run("restore", "m1:latest", "--repo", repo, "--to", restored.toString(), "-o", "json"));
        assertThat(run("qemu-img", "compare", "-f", "qcow2", "-F", "qcow2", img.toString(), restored.toString()))
                .contains("Images are identical");

        Path raw = dir.resolve("old.raw");
        json(CliProcess.run("restore", firstId, "--repo", repo, "--to", raw.toString(), "--format", "raw", "-o", "json"));
        JsonNode inPlace = json(CliProcess.run("restore", "m1:latest", "--repo", repo, "--to", raw.toString(),
                "--format", "raw", "--in-place", "-o", "json"));
        assertThat(inPlace.get("chunksWritten").asLong()).isEqualTo(4);
        assertThat(inPlace.get("bytesWritten").asLong()).isEqualTo(MIB);
        assertThat(run("qemu-img", "compare", "-f", "qcow2", "-F", "raw", img.toString(), raw.toString()))
                .contains("Images are identical");

        CliProcess.Result refused = CliProcess.run("restore", "m1:latest", "--repo", repo, "--to", raw.toString(), "--format", "raw");
        assertThat(refused.exit()).isEqualTo(1);
        assertThat(refused.err()).contains(raw.toString()).contains("already exists").contains("--in-place");

        // export: real NBD clients read the point
        Path sock = dir.resolve("export.sock");
        Process export = CliProcess.start("export", "m1:latest", "--repo", repo, "--socket", sock.toString());
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(export.getInputStream(), StandardCharsets.UTF_8));
            String line;
            while ((line = out.readLine()) != null && !line.contains("Ctrl-C")) {
                assertThat(line).doesNotContain("ferry:");
            }
            assertThat(run("nbdinfo", "--size", "nbd+unix:///vda?socket=" + sock).trim()).isEqualTo(Long.toString(64L * MIB));
            Path copy = dir.resolve("copy.raw");
            run("nbdcopy", "nbd+unix:///vda?socket=" + sock, copy.toString());
            assertThat(run("qemu-img", "compare", "-f", "qcow2", "-F", "raw", img.toString(), copy.toString()))
                    .contains("Images are identical");
        } finally {
            export.destroy();
            export.waitFor(10, TimeUnit.SECONDS);
        }

        assertThat(CliProcess.run("repo", "verify", "--repo", repo).exit()).isZero();
        assertThat(json(CliProcess.run("repo", "gc", "--repo", repo, "--grace", "PT0S", "-o", "json"))
                .get("blobsDeleted").asLong()).isZero();

        // corrupt one chunk: verify names it and both points (chunk 0 is shared), exit 3
        Path chunk;
        try (Stream<Path> s = Files.walk(Path.of(repo, "chunks"))) {
            chunk = s.filter(Files::isRegularFile).sorted().findFirst().orElseThrow();
        }
        byte[] b = Files.readAllBytes(chunk);
        b[b.length - 1] ^= 1;
        Files.write(chunk, b);
        CliProcess.Result bad = CliProcess.run("repo", "verify", "--repo", repo);
        assertThat(bad.exit()).isEqualTo(3);
        assertThat(bad.out()).contains(chunk.getFileName().toString()).contains("affects points");
    }

    private static String run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String s = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", cmd) + ": " + s).isZero();
        return s;
    }
}
