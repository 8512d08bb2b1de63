package io.ferry.agent;

import io.ferry.hypervisor.DomainState;
import io.ferry.hypervisor.Libvirt;
import io.ferry.lab.LabVm;
import io.ferry.lab.LabVmSpec;
import io.ferry.protocol.PowerAssignment;
import io.ferry.protocol.PowerReport;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/** Clean shutdowns for a planned failover, with real lab guests (TCG). */
class PowerControlTest {
    static final Duration BOOT = Duration.ofSeconds(90);
    final Libvirt lv = Libvirt.system();

    @Test
    void aShutOffSourceThatRunsAgainIsReportedRestartedForGood() {
        assumeFalse(Boolean.getBoolean("ferry.skipVmTests"), "VM tests skipped");
        try (LabVm vm = LabVm.create(lv, LabVmSpec.builder().namePrefix("ferry-agent-power").mode(LabVmSpec.Mode.WRITE).rate(50).build());
             PowerControl power = new PowerControl(lv)) {
            vm.waitForConsole(Pattern.compile("FERRY-PROGRESS seq=\\d+"), BOOT);
            List<PowerAssignment> wanted = List.of(new PowerAssignment("job-1-shutdown", vm.name(), 60));
            power.reconcile(wanted);
            assertThat(report(power, "job-1-shutdown").orElseThrow().state()).isEqualTo(PowerReport.SHUTTING_DOWN);
            await().atMost(Duration.ofSeconds(60)).until(() -> PowerReport.SHUT_OFF.equals(report(power, "job-1-shutdown")
                    .map(PowerReport::state).orElse(null)));
            assertThat(vm.state()).isEqualTo(DomainState.SHUTOFF);
            assertThat(vm.consoleText()).contains("FERRY-SHUTDOWN records=");
            PowerReport off = report(power, "job-1-shutdown").orElseThrow();
            power.reconcile(wanted); // still off: nothing changes
            assertThat(report(power, "job-1-shutdown")).contains(off);

            lv.start(vm.name()); // host HA, autostart or an operator
            power.reconcile(wanted);
            PowerReport again = report(power, "job-1-shutdown").orElseThrow();
            assertThat(again.state()).isEqualTo(PowerReport.RESTARTED);
            assertThat(again.error().code()).isEqualTo("SOURCE_RESTARTED");
            assertThat(again.error().message()).contains(vm.name()).contains("started again").contains(off.at().toString());
            lv.destroy(vm.name());
            power.reconcile(wanted); // for good: shut off again does not make it SHUT_OFF
            assertThat(report(power, "job-1-shutdown").orElseThrow().state()).isEqualTo(PowerReport.RESTARTED);
            power.reconcile(List.of());
            assertThat(power.reports()).isEmpty();
        }
    }

    @Test
    void aGuestThatIgnoresTheButtonIsReportedTimedOutAndLeftRunning() {
        assumeFalse(Boolean.getBoolean("ferry.skipVmTests"), "VM tests skipped");
        try (LabVm vm = LabVm.create(lv, LabVmSpec.builder().namePrefix("ferry-agent-power").mode(LabVmSpec.Mode.WRITE).rate(50)
                .ignoreAcpi(true).build());
             PowerControl power = new PowerControl(lv)) {
            vm.waitForConsole(Pattern.compile("FERRY-PROGRESS seq=\\d+"), BOOT);
            power.reconcile(List.of(new PowerAssignment("job-2-shutdown", vm.name(), 5)));
            await().atMost(Duration.ofSeconds(30)).until(() -> PowerReport.TIMED_OUT.equals(report(power, "job-2-shutdown")
                    .map(PowerReport::state).orElse(null)));
            PowerReport r = report(power, "job-2-shutdown").orElseThrow();
            assertThat(r.error().code()).isEqualTo("SHUTDOWN_TIMED_OUT");
            assertThat(r.error().message()).contains(vm.name()).contains("5 s");
            assertThat(vm.state()).as("nothing is forced").isEqualTo(DomainState.RUNNING);
        }
    }

    private static Optional<PowerReport> report(PowerControl power, String id) {
        return power.reports().stream().filter(r -> r.id().equals(id)).findFirst();
    }
}
