package io.ferry.agent;

import io.ferry.protocol.PointReport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class PendingPointsTest {
    @TempDir Path dir;

    private static PointReport point(String id) {
        return new PointReport(id, "repo", Instant.parse("2026-11-23T10:00:00Z"), "CRASH", "INCREMENTAL", null, 10, 5, List.of("vda"), null);
    }

    @Test
    void pointsSurviveARestartUntilTheVaultAcknowledgesThem() {
        Path file = dir.resolve("pending-points.json");
        PendingPoints p = new PendingPoints(file);
        p.add("pm-1", point("p1"));
        p.add("pm-1", point("p2"));
        p.add("pm-2", point("p3"));

        PendingPoints reopened = new PendingPoints(file);
        assertThat(reopened.of("pm-1")).extracting(PointReport::id).containsExactly("p1", "p2");
        assertThat(reopened.of("pm-2")).extracting(PointReport::id).containsExactly("p3");
        assertThat(reopened.of("pm-1").getFirst()).isEqualTo(point("p1"));

        reopened.acknowledge(List.of("p1", "p3", "unknown"));
        PendingPoints again = new PendingPoints(file);
        assertThat(again.of("pm-1")).extracting(PointReport::id).containsExactly("p2");
        assertThat(again.machines()).containsExactly("pm-1");
    }

    @Test
    void anUnreadableFileIsIgnoredNotFatal() throws Exception {
        Path file = dir.resolve("pending-points.json");
        Files.writeString(file, "{not json");
        PendingPoints p = new PendingPoints(file);
        assertThat(p.machines()).isEmpty();
        p.add("pm-1", point("p1"));
        assertThat(new PendingPoints(file).of("pm-1")).hasSize(1);
    }
}
