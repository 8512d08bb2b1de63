package io.ferry.datapath.capture;

import io.ferry.nbd.Extent;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ReadPlanTest {
    private static final int CS = 256 * 1024;
    private static final int K64 = 64 * 1024;

    @Test
    void dirtyRangesSplitAtChunkBoundariesAndFullyCoveredChunksAreReadWhole() {
        long size = 10L * CS + 1000; // a short last chunk
        List<Extent> extents = List.of(
                new Extent(0, K64, 0),                      // clean
                new Extent(K64, K64, 1),                    // chunk 0, one range
                new Extent(2L * K64, CS, 0),
                new Extent(3L * CS - K64, 2L * CS + K64, 1), // end of chunk 2, all of 3 and 4
                new Extent(10L * CS, 1000, 1));             // the whole short last chunk
        ReadPlan plan = ReadPlan.ranges(extents, size, CS, Extent::isDirty);
        assertThat(plan.touched().stream().boxed().toList()).containsExactly(0, 2, 3, 4, 10);
        assertThat(plan.whole().stream().boxed().toList()).containsExactly(3, 4, 10);
        assertThat(plan.ranges(0)).containsExactly(K64, K64);
        assertThat(plan.ranges(2)).containsExactly(3L * CS - K64, K64);
        assertThat(plan.ranges(3)).isNull();
        assertThat(plan.bytesToRead(size, CS)).isEqualTo(K64 + K64 + 2L * CS + 1000);
    }

    @Test
    void adjacentDirtyExtentsInOneChunkMerge() {
        List<Extent> extents = List.of(new Extent(0, K64, 1), new Extent(K64, K64, 1), new Extent(3L * K64, K64, 1));
        ReadPlan plan = ReadPlan.ranges(extents, 4L * CS, CS, Extent::isDirty);
        assertThat(plan.ranges(0)).containsExactly(0, 2L * K64, 3L * K64, K64);
        assertThat(plan.whole().isEmpty()).isTrue();
    }

    @Test
    void wholeChunkPlansReadEverySelectedChunkInFull() {
        ReadPlan plan = ReadPlan.wholeChunks(List.of(new Extent(100, 10, 0), new Extent(CS, CS, 3)), 2L * CS, CS,
                e -> !e.isZero());
        assertThat(plan.whole().stream().boxed().toList()).containsExactly(0);
        assertThat(plan.bytesToRead(2L * CS, CS)).isEqualTo(CS);
    }
}
