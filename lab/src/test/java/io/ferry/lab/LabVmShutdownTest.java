package io.ferry.lab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.ferry.hypervisor.DomainState;
import io.ferry.hypervisor.Libvirt;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The lab guest and the ACPI power button ({@code virsh shutdown}), for real (TCG). */
class LabVmShutdownTest {
    static final Duration BOOT = Duration.ofSeconds(90);
    static final Pattern PROGRESS = Pattern.compile("FERRY-PROGRESS seq=(\\d+)");
    final Libvirt lv = Libvirt.system();

    @Test
    void powerButtonStopsTheWorkloadAfterACompleteRecordAndPowersOff() {
        assumeFalse(Boolean.getBoolean("ferry.skipVmTests"), "VM tests skipped");
        try (LabVm vm = LabVm.create(lv, LabVmSpec.builder().namePrefix("ferry-lab-acpi")
                .mode(LabVmSpec.Mode.WRITE).rate(100).build())) {
            vm.waitForConsole(Pattern.compile("FERRY-PROGRESS seq=256"), BOOT);

            long t = System.nanoTime();
            assertThat(vm.shutdownAndWait(Duration.ofSeconds(30))).as("shut off within 30 s").isTrue();
            System.out.printf("power button to shut off: %d ms%n", (System.nanoTime() - t) / 1_000_000);
            assertThat(vm.state()).isEqualTo(DomainState.SHUTOFF);

            String console = vm.consoleText();
            long done = group(console, "FERRY-DONE records=(\\d+)");
            long shutdown = group(console, "FERRY-SHUTDOWN records=(\\d+)");
            assertThat(shutdown).isEqualTo(done).isGreaterThanOrEqualTo(256);
            assertThat(console.indexOf("FERRY-DONE")).isLessThan(console.indexOf("FERRY-SHUTDOWN"));
            assertThat(RecordVerifier.verifyQcow2(vm.disk("vda"))).isEqualTo(new VerifyResult(shutdown, true, null));
        }
    }

    @Test
    void withIgnoreAcpiThePowerButtonChangesNothing() {
        assumeFalse(Boolean.getBoolean("ferry.skipVmTests"), "VM tests skipped");
        try (LabVm vm = LabVm.create(lv, LabVmSpec.builder().namePrefix("ferry-lab-acpi")
                .mode(LabVmSpec.Mode.WRITE).rate(100).ignoreAcpi(true).build())) {
            vm.waitForConsole(Pattern.compile("FERRY-PROGRESS seq=256"), BOOT);

            assertThat(vm.shutdownAndWait(Duration.ofSeconds(10))).as("still running 10 s after the press").isFalse();
            lv.shutdown(vm.name()); // a second press
            long before = lastProgress(vm.consoleText());
            sleep(Duration.ofSeconds(5));

            assertThat(vm.state()).as("15 s after the first press").isEqualTo(DomainState.RUNNING);
            // the workload keeps writing: 100 records/s is a progress line every ~2.6 s
            vm.waitForConsole(Pattern.compile("FERRY-PROGRESS seq=" + (before + 256) + "\\b"), Duration.ofSeconds(30));
            String console = vm.consoleText();
            assertThat(console.split("FERRY-ACPI ignored", -1)).as("one FERRY-ACPI line for two presses").hasSize(2);
            assertThat(console).doesNotContain("FERRY-DONE").doesNotContain("FERRY-SHUTDOWN");
            long after = lastProgress(console);

            vm.destroy();
            VerifyResult r = RecordVerifier.verifyQcow2(vm.disk("vda"));
            assertThat(r.ok()).isTrue();
            assertThat(r.records()).isGreaterThanOrEqualTo(after);
        }
    }

    private static long group(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertThat(m.find()).as("console shows /%s/:%n%s", regex, text).isTrue();
        return Long.parseLong(m.group(1));
    }

    private static long lastProgress(String console) {
        return PROGRESS.matcher(console).results().mapToLong(r -> Long.parseLong(r.group(1))).max().orElse(0);
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
