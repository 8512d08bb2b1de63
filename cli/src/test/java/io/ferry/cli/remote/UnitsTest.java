package io.ferry.cli.remote;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class UnitsTest {
    @ParameterizedTest
    @CsvSource({"15s,15", "5m,300", "24h,86400", "7d,604800", "2w,1209600", "1h30m,5400", "300,300", "0,0", "0s,0",
            "' 10M ',600", "1d12h,129600", "90s,90"})
    void parsesDurations(String text, long seconds) {
        assertThat(Units.parseDuration(text)).isEqualTo(seconds);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "5q", "m", "-5s", "1.5h", "5 m", "h5", "5m3", "99999999999999999999s"})
    void refusesOtherDurationsNamingTheForm(String text) {
        assertThatThrownBy(() -> Units.parseDuration(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + text + "' is not a duration").hasMessageContaining("15s, 5m, 24h, 7d");
    }

    @ParameterizedTest
    @CsvSource({"100M,104857600", "1G,1073741824", "1g,1073741824", "1.5G,1610612736", "512K,524288", "64KiB,65536",
            "500MB,500000000", "1T,1099511627776", "1048576,1048576", "0,0", "100B,100", "2 MiB,2097152"})
    void parsesSizes(String text, long bytes) {
        assertThat(Units.parseSize(text)).isEqualTo(bytes);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "M", "100X", "-1M", "1.5", "IB", "ten"})
    void refusesOtherSizes(String text) {
        assertThatThrownBy(() -> Units.parseSize(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is not a size").hasMessageContaining("100M");
    }

    @ParameterizedTest
    @CsvSource({"0,0s", "14,14s", "60,1m", "330,5m30s", "3600,1h", "7500,2h5m", "86400,1d", "604800,7d", "108000,1d6h"})
    void formatsDurationsCompactly(long seconds, String text) {
        assertThat(Units.duration(seconds)).isEqualTo(text);
    }

    @Test
    void agesAreRelativeToNow() {
        Instant now = Instant.parse("2025-06-01T12:00:00Z");
        assertThat(Units.age(now.minusSeconds(12), now)).isEqualTo("12s ago");
        assertThat(Units.age(now.minusSeconds(300), now)).isEqualTo("5m ago");
        assertThat(Units.age(now.minusSeconds(3 * 3600 + 59), now)).isEqualTo("3h ago");
        assertThat(Units.age(now.minusSeconds(2 * 86_400), now)).isEqualTo("2d ago");
        assertThat(Units.age(now.plusSeconds(3600), now)).isEqualTo("in 1h");
        assertThat(Units.age(now, now)).isEqualTo("0s ago");
        assertThat(Units.age(null, now)).isNull();
    }

    @Test
    void bytesAreForPeople() {
        assertThat(Units.bytes(0)).isEqualTo("0 B");
        assertThat(Units.bytes(1023)).isEqualTo("1023 B");
        assertThat(Units.bytes(1536)).isEqualTo("1.5 KiB");
        assertThat(Units.bytes(10L << 30)).isEqualTo("10.0 GiB");
    }
}
