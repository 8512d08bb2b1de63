package io.ferry.orchestrator.lifecycle;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.ferry.orchestrator.lifecycle.ProtectionEvent.*;
import static io.ferry.orchestrator.lifecycle.ProtectionState.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MachineLifecycleTest {
    /** The rows of the replication table in docs/operations.md, as "FROM EVENT TO". */
    private static Set<String> documentedRows(String heading, String nextHeading) throws IOException {
        String doc = Files.readString(Path.of("..", "docs", "operations.md"));
        String section = doc.substring(doc.indexOf(heading), nextHeading == null ? doc.length() : doc.indexOf(nextHeading));
        Set<String> rows = new HashSet<>();
        Matcher m = Pattern.compile("^\\| ([A-Z_, ]+) \\| ([A-Z_]+) \\| ([A-Z_]+)", Pattern.MULTILINE).matcher(section);
        while (m.find()) {
            for (String from : m.group(1).split(",")) {
                rows.add(from.trim() + " " + m.group(2) + " " + m.group(3));
            }
        }
        return rows;
    }

    @Test
    void theTablesInCodeAreExactlyTheTablesInTheDocs() throws IOException {
        Set<String> code = new HashSet<>();
        for (ProtectionState s : ProtectionState.values()) {
            for (ProtectionEvent e : MachineLifecycle.PROTECTION.allowed(s)) {
                code.add(s + " " + e + " " + MachineLifecycle.PROTECTION.next(s, e).orElseThrow());
            }
        }
        assertThat(code).isEqualTo(documentedRows("Replication state:", "Test failover, orthogonal"));
        Set<String> drills = new HashSet<>();
        for (TestFailoverState s : TestFailoverState.values()) {
            for (TestFailoverEvent e : MachineLifecycle.TEST_FAILOVER.allowed(s)) {
                drills.add(s + " " + e + " " + MachineLifecycle.TEST_FAILOVER.next(s, e).orElseThrow());
            }
        }
        assertThat(drills).isEqualTo(documentedRows("Test failover, orthogonal", null));
    }

    @Test
    void theWholeRoundTripIsAllowed() {
        MachineLifecycle m = MachineLifecycle.unprotected("web1");
        for (ProtectionEvent e : new ProtectionEvent[] {ENABLE, ENABLED, INITIAL_REPLICATION_DONE, CHANGE_TRACKING_LOST,
                RESYNC, RESYNC_DONE, FAILOVER, FAILOVER_DONE, CHANGE_POINT, COMMIT, REPROTECT, REPROTECT_DONE}) {
            m = m.apply(e);
        }
        assertThat(m.protection()).isEqualTo(PROTECTED);
    }

    @Test
    void everyPairNotInTheTableIsRefusedWithTheMachineStateEventAndWhatIsAllowed() {
        int refused = 0;
        for (ProtectionState s : ProtectionState.values()) {
            for (ProtectionEvent e : ProtectionEvent.values()) {
                MachineLifecycle m = new MachineLifecycle("db1", s, TestFailoverState.NONE);
                if (MachineLifecycle.PROTECTION.next(s, e).isPresent()) {
                    assertThat(m.apply(e).protection()).isEqualTo(MachineLifecycle.PROTECTION.next(s, e).get());
                } else {
                    refused++;
                    assertThatThrownBy(() -> m.apply(e)).isInstanceOf(IllegalTransitionException.class)
                            .hasMessageContaining("'db1'").hasMessageContaining(s.name()).hasMessageContaining(e.name())
                            .hasMessageContaining("allowed now");
                }
            }
        }
        assertThat(refused).isGreaterThan(100);
    }

    @Test
    void commitWithoutFailoverAndFailbackOfAMachineThatNeverFailedOverAreRefused() {
        MachineLifecycle protectedMachine = new MachineLifecycle("app", PROTECTED, TestFailoverState.NONE);
        assertThatThrownBy(() -> protectedMachine.apply(COMMIT)).hasMessageContaining("PROTECTED: COMMIT is not allowed")
                .hasMessageContaining("FAILOVER");
        assertThatThrownBy(() -> protectedMachine.apply(REPROTECT)).isInstanceOf(IllegalTransitionException.class);
    }

    @Test
    void aDrillRunsBesideReplicationButBlocksFailoverAndDisableUntilCleanedUp() {
        MachineLifecycle m = new MachineLifecycle("app", PROTECTED, TestFailoverState.NONE)
                .apply(TestFailoverEvent.START).apply(TestFailoverEvent.STARTED);
        assertThat(m.test()).isEqualTo(TestFailoverState.RUNNING);
        // replication goes on
        m = m.apply(CHANGE_TRACKING_LOST).apply(RESYNC).apply(RESYNC_DONE);
        assertThat(m.protection()).isEqualTo(PROTECTED);
        MachineLifecycle running = m;
        assertThatThrownBy(() -> running.apply(FAILOVER)).hasMessageContaining("clean it up first");
        assertThatThrownBy(() -> running.apply(DISABLE)).hasMessageContaining("clean it up first");
        assertThat(running.allowedProtectionEvents()).containsExactly(CHANGE_TRACKING_LOST);
        MachineLifecycle clean = running.apply(TestFailoverEvent.CLEANUP).apply(TestFailoverEvent.CLEANED_UP);
        assertThat(clean.apply(FAILOVER).protection()).isEqualTo(FAILING_OVER);
    }

    @Test
    void aDrillNeedsRecoveryPoints() {
        for (ProtectionState s : new ProtectionState[] {UNPROTECTED, ENABLING, INITIAL_REPLICATION, FAILED_OVER}) {
            MachineLifecycle m = new MachineLifecycle("app", s, TestFailoverState.NONE);
            assertThatThrownBy(() -> m.apply(TestFailoverEvent.START)).hasMessageContaining("needs recovery points");
        }
    }

    @Test
    void aTableRefusesADuplicateRow() {
        assertThatThrownBy(() -> TransitionTable.builder(TestFailoverState.class, TestFailoverEvent.class)
                .on(TestFailoverState.NONE, TestFailoverEvent.START, TestFailoverState.STARTING)
                .on(TestFailoverState.NONE, TestFailoverEvent.START, TestFailoverState.RUNNING))
                .hasMessageContaining("defined twice");
    }
}
