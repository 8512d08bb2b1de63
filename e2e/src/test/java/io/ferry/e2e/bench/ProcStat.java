package io.ferry.e2e.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** CPU times and load from {@code /proc}: a process's user+system time, the host's busy time, the load average. */
final class ProcStat {
    /** Clock ticks per second of /proc times ({@code getconf CLK_TCK}; 100 on Linux x86-64). */
    static final double HZ = clockTicks();

    private ProcStat() {}

    /** CPU seconds of one process: [own user+system, waited-for children's user+system]. */
    record Cpu(double self, double children) {
        Cpu minus(Cpu o) { return new Cpu(self - o.self, children - o.children); }
    }

    static String comm(long pid) {
        try {
            return Files.readString(Path.of("/proc/" + pid + "/comm")).strip();
        } catch (IOException e) {
            return null;
        }
    }

    static Cpu cpu(long pid) {
        try {
            String s = Files.readString(Path.of("/proc/" + pid + "/stat"));
            // the fields after "(comm) ": state is field 3; utime 14, stime 15, cutime 16, cstime 17
            String[] f = s.substring(s.lastIndexOf(')') + 2).split(" ");
            double self = (Long.parseLong(f[11]) + Long.parseLong(f[12])) / HZ;
            double children = (Long.parseLong(f[13]) + Long.parseLong(f[14])) / HZ;
            return new Cpu(self, children);
        } catch (IOException | RuntimeException e) {
            return new Cpu(Double.NaN, Double.NaN);
        }
    }

    /** Host CPU: [busy seconds, total seconds] summed over all CPUs (from the first line of /proc/stat). */
    static double[] host() {
        try {
            String line = Files.readAllLines(Path.of("/proc/stat")).getFirst();
            String[] f = line.trim().split("\\s+");
            long total = 0, idle = 0;
            for (int i = 1; i < f.length && i <= 8; i++) total += Long.parseLong(f[i]);
            idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
            return new double[] {(total - idle) / HZ, total / HZ};
        } catch (IOException | RuntimeException e) {
            return new double[] {Double.NaN, Double.NaN};
        }
    }

    /** Busy share of all CPUs between two {@link #host()} readings, in percent of the whole machine. */
    static double busyPercent(double[] before, double[] after) {
        double t = after[1] - before[1];
        return t <= 0 ? Double.NaN : 100.0 * (after[0] - before[0]) / t;
    }

    /** The 1/5/15-minute load averages, as uptime prints them. */
    static String load() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "?";
        }
    }

    /** The pid of a libvirt domain's QEMU, or -1. */
    static long qemuPid(String domain) {
        try {
            return Long.parseLong(Files.readString(Path.of("/run/libvirt/qemu/" + domain + ".pid")).strip());
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static double clockTicks() {
        try {
            Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).strip();
            p.waitFor();
            return Double.parseDouble(out);
        } catch (IOException | RuntimeException e) {
            return 100;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 100;
        }
    }
}
