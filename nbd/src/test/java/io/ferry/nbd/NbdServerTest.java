package io.ferry.nbd;

import io.ferry.nbd.protocol.Errno;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static io.ferry.nbd.ExternalServer.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** NbdServer proven by real clients (nbdinfo, nbdcopy, qemu-img) and by NbdClient. */
class NbdServerTest {
    @TempDir
    Path dir;

    private byte[] image;
    private MemorySource source;
    private NbdServer server;
    private String uri;

    @BeforeEach
    void start() throws Exception {
        TestData.SparseImage img = TestData.sparseRaw(dir.resolve("src.raw"), 200, 21);
        image = img.bytes();
        source = new MemorySource(image);
        server = NbdServer.start(new NbdAddress.Unix(dir.resolve("nbd.sock")), Map.of("disk", source));
        uri = "nbd+unix:///?socket=" + dir.resolve("nbd.sock");
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void nbdinfoSeesSizeExportAndBaseAllocation() throws Exception {
        String json = run("nbdinfo", "--json", uri).requireSuccess("nbdinfo --json").output();
        assertThat(json).contains("\"export-size\": " + image.length);
        assertThat(json).contains("\"export-name\": \"disk\"");
        assertThat(json).contains("\"base:allocation\"");
        assertThat(json).contains("\"is_read_only\": true");
        assertThat(json).contains("\"description\": \"test memory source\"");
        assertThat(json).contains("\"block_size_maximum\": 33554432");
    }

    @Test
    void nbdinfoMapEqualsOurExtents() throws Exception {
        String map = run("nbdinfo", "--map", uri).requireSuccess("nbdinfo --map").output();
        List<Extent> seen = new ArrayList<>();
        for (String line : map.strip().split("\n")) {
            String[] f = line.strip().split("\\s+");
            seen.add(new Extent(Long.parseLong(f[0]), Long.parseLong(f[1]), Integer.parseInt(f[2])));
        }
        assertThat(seen).isEqualTo(source.allocation(0, image.length));
        assertThat(seen).hasSizeGreaterThan(10);
    }

    @Test
    void nbdcopyAndQemuImgMakeIdenticalCopies() throws Exception {
        Path a = dir.resolve("a.raw");
        Path b = dir.resolve("b.raw");
        run("nbdcopy", uri, a.toString()).requireSuccess("nbdcopy");
        run("qemu-img", "convert", "-f", "raw", "-O", "raw", uri, b.toString()).requireSuccess("qemu-img convert");
        assertThat(Files.readAllBytes(a)).isEqualTo(image);
        assertThat(Files.readAllBytes(b)).isEqualTo(image);
    }

    @Test
    void severalClientsAtOnce() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<Future<?>> jobs = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                Path out = dir.resolve("copy" + i + ".raw");
                jobs.add(pool.submit(() -> {
                    run("nbdcopy", "--connections=4", uri, out.toString()).requireSuccess("nbdcopy");
                    assertThat(Files.readAllBytes(out)).isEqualTo(image);
                    return null;
                }));
            }
            for (int i = 0; i < 4; i++) {
                long seed = 100 + i;
                jobs.add(pool.submit(() -> {
                    try (NbdClient c = NbdClient.connect(server.address(), "disk", List.of("base:allocation"))) {
                        QemuNbdClientTest.assertRandomReadsMatch(c, image, 150, seed);
                        assertThat(c.blockStatus("base:allocation", 0, c.size()))
                                .isEqualTo(source.allocation(0, image.length));
                    }
                    return null;
                }));
            }
            for (Future<?> f : jobs) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void ourClientAgainstOurServer() throws Exception {
        try (NbdClient c = NbdClient.connect(server.address(), "", List.of("base:allocation"))) {
            assertThat(c.size()).isEqualTo(image.length);
            assertThat(c.readOnly()).isTrue();
            assertThat(c.metaContexts()).containsExactly("base:allocation");
            assertThat(c.preferredBlockSize()).isEqualTo(64 << 10);
            assertThat(c.maxBlockSize()).isEqualTo(32 << 20);
            assertThat(c.read(0, image.length)).isEqualTo(image);
            QemuNbdClientTest.assertRandomReadsMatch(c, image, 200, 7);
            assertThat(c.blockStatus("base:allocation", 0, image.length)).isEqualTo(source.allocation(0, image.length));
            assertThat(c.blockStatus("base:allocation", 1000, 70_000))
                    .isEqualTo(source.allocation(1000, 70_000));
        }
        // without structured replies: simple replies carry the data, block status is unavailable
        try (NbdClient c = NbdClient.connect(server.address(), "disk", List.of(),
                NbdClient.Options.defaults().withStructuredReplies(false))) {
            assertThat(c.structuredReplies()).isFalse();
            QemuNbdClientTest.assertRandomReadsMatch(c, image, 100, 8);
        }
    }

    @Test
    void failingSourceRangeFailsOnlyThoseReads() throws Exception {
        server.close();
        long failFrom = 3 << 20;
        long failTo = failFrom + 4096;
        MemorySource failing = new MemorySource(image, failFrom, failTo);
        server = NbdServer.start(new NbdAddress.Unix(dir.resolve("nbd.sock")), Map.of("disk", failing));
        ExternalServer.Result copy = run("nbdcopy", uri, dir.resolve("x.raw").toString());
        assertThat(copy.exit()).as("nbdcopy must fail: %s", copy.output()).isNotZero();
        for (boolean structured : new boolean[] {true, false}) {
            try (NbdClient c = NbdClient.connect(server.address(), "", List.of(),
                    NbdClient.Options.defaults().withStructuredReplies(structured))) {
                assertThatThrownBy(() -> c.read(failFrom - 100, 200))
                        .isInstanceOfSatisfying(NbdException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EIO))
                        .hasMessageContaining("failed on the server: EIO");
                // the connection survives: other reads, also pipelined around the failure, still work
                List<CompletableFuture<byte[]>> ok = new ArrayList<>();
                for (int i = 0; i < 20; i++) {
                    ok.add(c.readAsync(i * 100_000L, 50_000));
                }
                CompletableFuture<byte[]> bad = c.readAsync(failTo - 1, 10);
                for (int i = 0; i < 20; i++) {
                    assertThat(ok.get(i).get()).isEqualTo(java.util.Arrays.copyOfRange(image, i * 100_000, i * 100_000 + 50_000));
                }
                assertThatThrownBy(bad::get).cause().isInstanceOf(NbdException.class).hasMessageContaining("EIO");
                assertThat(c.read(failTo, 100)).isEqualTo(java.util.Arrays.copyOfRange(image, (int) failTo, (int) failTo + 100));
            }
        }
    }

    @Test
    void tcpPortZeroPicksAFreePort() throws Exception {
        try (NbdServer tcp = NbdServer.start(new NbdAddress.Tcp("127.0.0.1", 0), Map.of("disk", source))) {
            NbdAddress.Tcp a = (NbdAddress.Tcp) tcp.address();
            assertThat(a.port()).isPositive();
            try (NbdClient c = NbdClient.connect(a, "disk", List.of())) {
                assertThat(c.read(0, image.length)).isEqualTo(image);
            }
            String json = run("nbdinfo", "--json", "nbd://127.0.0.1:" + a.port() + "/disk").requireSuccess("nbdinfo").output();
            assertThat(json).contains("\"export-size\": " + image.length);
        }
    }

    @Test
    void socketIsOwnerOnlyByDefaultCanBeGivenToAUserAndIsRemovedOnClose() throws Exception {
        Path sock = dir.resolve("nbd.sock");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(sock))).isEqualTo("rw-------");
        Path given = dir.resolve("given.sock");
        try (NbdServer s = NbdServer.start(new NbdAddress.Unix(given), Map.of("d", source),
                UnixSocketAccess.forUser("nobody"))) {
            assertThat(Files.getOwner(given).getName()).isEqualTo("nobody");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(given))).isEqualTo("rw-------");
        }
        assertThatThrownBy(() -> NbdServer.start(new NbdAddress.Unix(dir.resolve("x.sock")), Map.of("d", source),
                UnixSocketAccess.forUser("no-such-user-ferry"))).isInstanceOf(NbdException.class)
                .hasMessageContaining("no-such-user-ferry");
        assertThat(dir.resolve("x.sock")).doesNotExist();
        server.close();
        assertThat(sock).doesNotExist();
        // a stale socket file (no listener) is replaced
        Files.createFile(dir.resolve("plain"));
        assertThatThrownBy(() -> NbdServer.start(new NbdAddress.Unix(dir.resolve("plain")), Map.of("d", source)))
                .isInstanceOf(NbdException.class).hasMessageContaining("a file or directory of that name exists");
        server = NbdServer.start(new NbdAddress.Unix(sock), Map.of("disk", source));
        assertThatThrownBy(() -> NbdServer.start(new NbdAddress.Unix(sock), Map.of("d", source)))
                .isInstanceOf(NbdException.class).hasMessageContaining("another server is listening");
    }

    @Test
    void severalExportsAreListedAndDefaultIsAmbiguous() throws Exception {
        server.close();
        Map<String, ExportSource> two = new LinkedHashMap<>();
        two.put("a", source);
        two.put("b", new MemorySource(new byte[4096]));
        server = NbdServer.start(new NbdAddress.Unix(dir.resolve("nbd.sock")), two);
        String list = run("nbdinfo", "--list", uri).requireSuccess("nbdinfo --list").output();
        assertThat(list).contains("export=\"a\"").contains("export=\"b\"");
        try (NbdClient c = NbdClient.connect(server.address(), "b", List.of())) {
            assertThat(c.size()).isEqualTo(4096);
        }
        assertThatThrownBy(() -> NbdClient.connect(server.address(), "", List.of()))
                .isInstanceOf(NbdException.class).hasMessageContaining("export '' not found");
    }
}
