package io.ferry.lab;

import io.ferry.hypervisor.Libvirt;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Removes what recovery left behind on a lab host once a test, benchmark or quickstart is done:
 * domains (destroyed, undefined) and the files in {@link Libvirt#RECOVERY_IMAGES} and
 * {@link Libvirt#RECOVERY_CONSOLES} whose names start with one of the prefixes. A committed
 * recovery VM or a machine failed back to another host is the operator's in production, so Ferry
 * never removes these by itself.
 */
public final class RecoveryLeftovers {
    private RecoveryLeftovers() {}

    /** Every domain and recovery file whose name starts with one of {@code prefixes}. */
    public static void remove(Libvirt lv, String... prefixes) {
        List<String> p = List.of(prefixes);
        for (String d : lv.domainNames()) {
            if (p.stream().anyMatch(d::startsWith)) removeDomain(lv, d);
        }
        for (Path dir : List.of(Libvirt.RECOVERY_IMAGES, Libvirt.RECOVERY_CONSOLES)) {
            if (!Files.isDirectory(dir)) continue;
            try (Stream<Path> s = Files.list(dir)) {
                for (Path f : s.filter(f -> p.stream().anyMatch(f.getFileName().toString()::startsWith)).toList()) {
                    Files.deleteIfExists(f);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("remove recovery leftovers in " + dir, e);
            }
        }
    }

    /** One recovery domain: destroyed, undefined, its {@code <domain>-*.qcow2} images and console deleted. */
    public static void removeOne(Libvirt lv, String domain) {
        if (lv.exists(domain)) removeDomain(lv, domain);
        try {
            if (Files.isDirectory(Libvirt.RECOVERY_IMAGES)) {
                try (Stream<Path> s = Files.list(Libvirt.RECOVERY_IMAGES)) {
                    // <domain>-<disk target>.qcow2 only: "web" must not take "web-dr"'s images
                    java.util.regex.Pattern mine = java.util.regex.Pattern.compile(java.util.regex.Pattern.quote(domain)
                            + "-[a-z]+[0-9]*\\.qcow2");
                    for (Path f : s.filter(f -> mine.matcher(f.getFileName().toString()).matches()).toList()) {
                        Files.deleteIfExists(f);
                    }
                }
            }
            Files.deleteIfExists(Libvirt.RECOVERY_CONSOLES.resolve(domain + ".log"));
        } catch (IOException e) {
            throw new UncheckedIOException("remove the files of recovery domain " + domain, e);
        }
    }

    private static void removeDomain(Libvirt lv, String d) {
        try {
            lv.destroy(d);
        } catch (RuntimeException shutOff) {
            // not running
        }
        lv.undefine(d);
    }
}
