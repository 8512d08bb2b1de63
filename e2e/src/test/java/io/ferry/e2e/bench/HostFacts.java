package io.ferry.e2e.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.stream.Stream;

/** The line every benchmark report starts with: date, CPUs, memory, kernel, JDK, load, commit. */
final class HostFacts {
    private HostFacts() {}

    static String describe(Instant began) {
        String cpu = "?";
        try (Stream<String> l = Files.lines(Path.of("/proc/cpuinfo"))) {
            cpu = l.filter(x -> x.startsWith("model name")).findFirst().map(x -> x.substring(x.indexOf(':') + 1).trim()).orElse("?");
        } catch (IOException ignored) {
            // keep ?
        }
        double ramGiB = Double.NaN;
        try (Stream<String> l = Files.lines(Path.of("/proc/meminfo"))) {
            ramGiB = l.filter(x -> x.startsWith("MemTotal:")).findFirst()
                    .map(x -> Long.parseLong(x.replaceAll("\\D", "")) / 1024.0 / 1024.0).orElse(Double.NaN);
        } catch (IOException ignored) {
            // keep NaN
        }
        String avail = "?";
        try (Stream<String> l = Files.lines(Path.of("/proc/meminfo"))) {
            avail = l.filter(x -> x.startsWith("MemAvailable:")).findFirst()
                    .map(x -> Table.f(Long.parseLong(x.replaceAll("\\D", "")) / 1024.0 / 1024.0) + " GiB").orElse("?");
        } catch (IOException ignored) {
            // keep ?
        }
        String kernel = "?";
        try {
            kernel = Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip();
        } catch (IOException ignored) {
            // keep ?
        }
        return String.format(Locale.ROOT, "Date %s UTC. Machine: %d CPUs (%s), %.1f GiB RAM (%s available at the start), kernel %s;"
                        + " JDK %s; load average at the start %s. Commit %s.%n",
                DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(ZoneOffset.UTC).format(began),
                Runtime.getRuntime().availableProcessors(), cpu, ramGiB, avail, kernel, System.getProperty("java.version"),
                ProcStat.load(), System.getProperty("ferry.bench.commit", "?"));
    }
}
