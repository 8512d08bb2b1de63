package io.ferry.nbd;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NbdAddressTest {
    @Test
    void parsesUnixUris() {
        NbdAddress.NbdUri u = NbdAddress.NbdUri.parse("nbd+unix:///disk0?socket=/run/ferry/x.sock");
        assertThat(u.address()).isEqualTo(new NbdAddress.Unix(Path.of("/run/ferry/x.sock")));
        assertThat(u.exportName()).isEqualTo("disk0");
        assertThat(NbdAddress.parse("nbd+unix:///?socket=/tmp/s")).isEqualTo(new NbdAddress.Unix(Path.of("/tmp/s")));
        assertThat(NbdAddress.NbdUri.parse("nbd+unix:///?socket=/tmp/s").exportName()).isEmpty();
        assertThat(NbdAddress.NbdUri.parse("nbd+unix:///a%20b?socket=/tmp/s").exportName()).isEqualTo("a b");
    }

    @Test
    void parsesTcpUris() {
        NbdAddress.NbdUri u = NbdAddress.NbdUri.parse("nbd://example.org:10810/vda");
        assertThat(u.address()).isEqualTo(new NbdAddress.Tcp("example.org", 10810));
        assertThat(u.exportName()).isEqualTo("vda");
        assertThat(NbdAddress.parse("nbd://10.0.0.1")).isEqualTo(new NbdAddress.Tcp("10.0.0.1", 10809));
        assertThat(NbdAddress.parse("nbd://[::1]:5000/x")).isEqualTo(new NbdAddress.Tcp("::1", 5000));
    }

    @Test
    void roundTripsToUri() {
        assertThat(new NbdAddress.Unix(Path.of("/tmp/s")).toUri("disk")).isEqualTo("nbd+unix:///disk?socket=/tmp/s");
        assertThat(new NbdAddress.Tcp("h", 1).toUri("")).isEqualTo("nbd://h:1/");
        assertThat(new NbdAddress.Tcp("::1", 1).toUri("e")).isEqualTo("nbd://[::1]:1/e");
        String s = "nbd+unix:///my%20disk?socket=/tmp/s";
        assertThat(NbdAddress.NbdUri.parse(s).toString()).isEqualTo(s);
    }

    @Test
    void rejectsBadUris() {
        assertThatThrownBy(() -> NbdAddress.parse("nbd+unix:///x")).hasMessageContaining("has no socket");
        assertThatThrownBy(() -> NbdAddress.parse("nbds://h/x")).hasMessageContaining("unsupported NBD URI scheme");
        assertThatThrownBy(() -> NbdAddress.parse("http://h/x")).hasMessageContaining("unsupported");
        assertThatThrownBy(() -> NbdAddress.parse("nbd:///x")).hasMessageContaining("has no host");
    }

    @Test
    void extentFlags() {
        Extent e = new Extent(0, 10, 3);
        assertThat(e.isHole()).isTrue();
        assertThat(e.isZero()).isTrue();
        assertThat(e.end()).isEqualTo(10);
        assertThat(new Extent(0, 1, 0).isZero()).isFalse();
        assertThat(new Extent(0, 1, 1).isDirty()).isTrue();
    }
}
