package io.ferry.cli.remote;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations ({@code 15s}, {@code 5m}, {@code 24h}, {@code 7d}, {@code 1h30m}; a bare number is
 * seconds) and sizes ({@code 100M}, {@code 1G}: powers of 1024; {@code KB}, {@code MB}… powers of
 * 1000; a bare number is bytes) as the operator types them, and as tables show them.
 */
public final class Units {
    private static final Pattern DURATION_PART = Pattern.compile("(\\d+)([smhdw])");
    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([KMGTP]?)(I?B?)");

    private Units() { }

    /** Seconds in a duration like {@code 15s}, {@code 5m}, {@code 24h}, {@code 7d}, {@code 2w}, {@code 1h30m} or {@code 300}. */
    public static long parseDuration(String text) {
        String s = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        if (s.matches("\\d+")) {
            return parseLong(s, text);
        }
        Matcher m = DURATION_PART.matcher(s);
        long total = 0;
        int at = 0;
        while (at < s.length() && m.find(at) && m.start() == at) {
            long unit = switch (m.group(2)) {
                case "s" -> 1;
                case "m" -> 60;
                case "h" -> 3600;
                case "d" -> 86_400;
                default -> 604_800;
            };
            try {
                total = Math.addExact(total, Math.multiplyExact(parseLong(m.group(1), text), unit));
            } catch (ArithmeticException e) {
                throw badDuration(text);
            }
            at = m.end();
        }
        if (s.isEmpty() || at != s.length()) {
            throw badDuration(text);
        }
        return total;
    }

    /** Bytes in a size like {@code 100M}, {@code 1G}, {@code 1.5GiB}, {@code 500MB} or {@code 1048576}. */
    public static long parseSize(String text) {
        String s = text == null ? "" : text.trim().toUpperCase(Locale.ROOT);
        Matcher m = SIZE.matcher(s);
        if (!m.matches() || (m.group(2).isEmpty() && m.group(3).startsWith("I"))) {
            throw badSize(text);
        }
        String prefix = m.group(2);
        String suffix = m.group(3);
        int power = prefix.isEmpty() ? 0 : "KMGTP".indexOf(prefix) + 1;
        boolean decimal = suffix.equals("B") && !prefix.isEmpty();
        double unit = Math.pow(decimal ? 1000 : 1024, power);
        double v = Double.parseDouble(m.group(1)) * unit;
        if (v >= Long.MAX_VALUE || (power == 0 && m.group(1).contains("."))) {
            throw badSize(text);
        }
        return (long) Math.floor(v);
    }

    /** A compact duration: {@code 14s}, {@code 5m}, {@code 5m30s}, {@code 2h}, {@code 2h5m}, {@code 7d}, {@code 1d6h}. */
    public static String duration(long seconds) {
        if (seconds < 0) {
            return "-" + duration(-seconds);
        }
        if (seconds < 60) {
            return seconds + "s";
        }
        if (seconds < 3600) {
            return two(seconds / 60, "m", seconds % 60, "s");
        }
        if (seconds < 86_400) {
            return two(seconds / 3600, "h", seconds % 3600 / 60, "m");
        }
        return two(seconds / 86_400, "d", seconds % 86_400 / 3600, "h");
    }

    private static String two(long a, String ua, long b, String ub) {
        return b == 0 ? a + ua : a + ua + b + ub;
    }

    /** How long ago {@code then} was, at {@code now}: {@code 12s ago}, {@code 3h ago}; {@code in 5m} for the future. */
    public static String age(Instant then, Instant now) {
        if (then == null) {
            return null;
        }
        long s = Duration.between(then, now).getSeconds();
        if (s < 0) {
            return "in " + coarse(-s);
        }
        return coarse(s) + " ago";
    }

    /** One unit only, as ages read best: {@code 12s}, {@code 5m}, {@code 3h}, {@code 2d}. */
    private static String coarse(long s) {
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return s / 60 + "m";
        }
        if (s < 86_400) {
            return s / 3600 + "h";
        }
        return s / 86_400 + "d";
    }

    /** Bytes for people: {@code 512 B}, {@code 1.5 KiB}, {@code 40.0 GiB}. */
    public static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }

    private static long parseLong(String digits, String text) {
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException e) {
            throw badDuration(text);
        }
    }

    private static IllegalArgumentException badDuration(String text) {
        return new IllegalArgumentException("'" + text + "' is not a duration: use a number with s, m, h, d or w, e.g. 15s, 5m, 24h, 7d, 1h30m");
    }

    private static IllegalArgumentException badSize(String text) {
        return new IllegalArgumentException("'" + text + "' is not a size: use a number of bytes with K, M, G or T (powers of 1024), e.g. 100M, 1G");
    }
}
