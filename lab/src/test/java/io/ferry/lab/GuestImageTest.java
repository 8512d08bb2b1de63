package io.ferry.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GuestImageTest {
    @TempDir Path cache;

    @Test
    void buildsOnceEvenWhenTwoBuildersRace() throws Exception {
        assumeFalse(Boolean.getBoolean("ferry.skipVmTests"), "VM tests skipped");
        var a = CompletableFuture.supplyAsync(() -> GuestImage.ensureBuilt(cache));
        var b = CompletableFuture.supplyAsync(() -> GuestImage.ensureBuilt(cache));
        GuestArtifacts x = a.get();
        assertThat(b.get()).isEqualTo(x);
        assertThat(x.kernel()).isRegularFile();
        assertThat(Files.size(x.initrd())).isGreaterThan(500_000);
        try (Stream<Path> s = Files.list(cache)) {
            assertThat(s.map(p -> p.getFileName().toString()).toList()).containsExactly(x.kernel().getParent()
                    .getFileName().toString()); // no temp build directories left behind
        }
        long t = System.nanoTime();
        assertThat(GuestImage.ensureBuilt(cache)).isEqualTo(x);
        assertThat((System.nanoTime() - t) / 1_000_000).isLessThan(3_000);
    }

    @Test
    void picksNewestKernelVersion() {
        assertThat(GuestImage.compareVersions("6.1.0-56-amd64", "6.1.0-9-amd64")).isPositive();
        assertThat(GuestImage.compareVersions("6.10.0-1-amd64", "6.9.0-1-amd64")).isPositive();
    }
}
