package io.ferry.lab;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How to create a {@link LabVm}. Immutable; build with {@link #builder()}.
 *
 * @param namePrefix   domain name prefix; a random suffix is added ({@code ferry-lab-1a2b3c4d})
 * @param diskSize     size of the vda qcow2 disk Ferry creates (ignored with existingDisk/diskXml)
 * @param mode         what the workload does
 * @param rate         records per second, 0 = as fast as possible
 * @param max          stop after this many records in total, 0 = until the end of the disk
 * @param memoryMiB    guest memory
 * @param vcpus        guest vCPUs
 * @param extraDisks   vdb, vdc, ... in order
 * @param existingDisk boot with this image as vda instead of a new disk (not deleted on close)
 * @param diskXml      a complete {@code <disk>} element for vda (overrides everything else about vda)
 * @param network      add a virtio NIC on this libvirt network (which must exist), or null for none;
 *                     the guest prints {@code FERRY-NIC name=<if> mac=<mac>} for it at boot
 * @param extraCmdline appended to the kernel command line
 * @param ignoreAcpi   the guest ignores the ACPI power button ({@code ferry.acpi=ignore}) instead
 *                     of stopping the workload and powering off
 */
public record LabVmSpec(String namePrefix, long diskSize, Mode mode, long rate, long max, int memoryMiB, int vcpus,
                        List<ExtraDisk> extraDisks, Path existingDisk, String diskXml, String network,
                        String extraCmdline, boolean ignoreAcpi) {
    public enum Mode {
        WRITE, VERIFY, IDLE;

        String cmdline() { return name().toLowerCase(java.util.Locale.ROOT); }
    }

    /**
     * An extra disk, optionally prefilled before boot with seeded random bytes in
     * [prefillOffset, prefillOffset + prefillLength) ({@link #expectedPrefill} recomputes them).
     */
    public record ExtraDisk(long size, long prefillOffset, long prefillLength, long seed) {
        public static ExtraDisk blank(long size) {
            return new ExtraDisk(size, 0, 0, 0);
        }

        public static ExtraDisk prefilled(long size, long offset, long length, long seed) {
            if (offset < 0 || length < 0 || offset + length > size) {
                throw new IllegalArgumentException("prefill range " + offset + "+" + length + " outside disk of " + size);
            }
            return new ExtraDisk(size, offset, length, seed);
        }

        /** The bytes the prefill wrote (a deterministic function of the seed). */
        public byte[] expectedPrefill() {
            if (prefillLength > Integer.MAX_VALUE) throw new IllegalStateException("prefill too large for an array");
            byte[] b = new byte[(int) prefillLength];
            new java.util.SplittableRandom(seed).nextBytes(b);
            return b;
        }
    }

    public LabVmSpec {
        Objects.requireNonNull(namePrefix, "namePrefix");
        Objects.requireNonNull(mode, "mode");
        if (!namePrefix.matches("[A-Za-z0-9_.-]{1,40}")) {
            throw new IllegalArgumentException("namePrefix '" + namePrefix + "': 1-40 of [A-Za-z0-9_.-]");
        }
        if (diskSize < 1 << 20 || diskSize % 4096 != 0) {
            throw new IllegalArgumentException("diskSize " + diskSize + ": at least 1 MiB and a multiple of 4096");
        }
        if (rate < 0 || max < 0) throw new IllegalArgumentException("rate and max must be >= 0");
        // below ~96 MiB the lab kernel does not boot (no console at 64, "deadlocked on memory" at 80)
        if (memoryMiB < 96) throw new IllegalArgumentException("memoryMiB " + memoryMiB + " < 96: the lab guest needs at least 96 MiB");
        if (vcpus < 1) throw new IllegalArgumentException("vcpus < 1");
        extraDisks = List.copyOf(extraDisks);
        if (extraDisks.size() > 24) throw new IllegalArgumentException("at most 24 extra disks");
        extraCmdline = extraCmdline == null ? "" : extraCmdline;
        if (existingDisk != null && diskXml != null) {
            throw new IllegalArgumentException("give existingDisk or diskXml, not both");
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.namePrefix = namePrefix;
        b.diskSize = diskSize;
        b.mode = mode;
        b.rate = rate;
        b.max = max;
        b.memoryMiB = memoryMiB;
        b.vcpus = vcpus;
        b.extraDisks.addAll(extraDisks);
        b.existingDisk = existingDisk;
        b.diskXml = diskXml;
        b.network = network;
        b.extraCmdline = extraCmdline;
        b.ignoreAcpi = ignoreAcpi;
        return b;
    }

    /**
     * Builder with defaults: prefix ferry-lab, 256 MiB disk, idle, 256 MiB RAM, 1 vCPU, no network,
     * powers off on the ACPI power button.
     */
    public static final class Builder {
        private String namePrefix = "ferry-lab";
        private long diskSize = 256L << 20;
        private Mode mode = Mode.IDLE;
        private long rate;
        private long max;
        private int memoryMiB = 256;
        private int vcpus = 1;
        private final List<ExtraDisk> extraDisks = new ArrayList<>();
        private Path existingDisk;
        private String diskXml;
        private String network;
        private String extraCmdline = "";
        private boolean ignoreAcpi;

        public Builder namePrefix(String v) { namePrefix = v; return this; }
        public Builder diskSize(long v) { diskSize = v; return this; }
        public Builder mode(Mode v) { mode = v; return this; }
        public Builder rate(long v) { rate = v; return this; }
        public Builder max(long v) { max = v; return this; }
        public Builder memoryMiB(int v) { memoryMiB = v; return this; }
        public Builder vcpus(int v) { vcpus = v; return this; }
        public Builder extraDisk(ExtraDisk d) { extraDisks.add(d); return this; }
        public Builder existingDisk(Path v) { existingDisk = v; return this; }
        public Builder diskXml(String v) { diskXml = v; return this; }
        /** A NIC on libvirt's {@code default} network (true) or none. */
        public Builder network(boolean v) { network = v ? "default" : null; return this; }
        /** A NIC on this libvirt network (null: none). */
        public Builder network(String v) { network = v; return this; }
        public Builder extraCmdline(String v) { extraCmdline = v; return this; }
        public Builder ignoreAcpi(boolean v) { ignoreAcpi = v; return this; }

        public LabVmSpec build() {
            return new LabVmSpec(namePrefix, diskSize, mode, rate, max, memoryMiB, vcpus, extraDisks, existingDisk,
                    diskXml, network, extraCmdline, ignoreAcpi);
        }
    }
}
