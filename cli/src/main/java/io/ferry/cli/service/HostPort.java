package io.ferry.cli.service;

/** {@code host:port} from the command line. */
record HostPort(String host, int port) {
    static HostPort parse(String s, String option) {
        int i = s == null ? -1 : s.lastIndexOf(':');
        if (i <= 0) throw new IllegalArgumentException(option + " must be HOST:PORT, got '" + s + "'");
        try {
            int port = Integer.parseInt(s.substring(i + 1));
            if (port < 0 || port > 65535) throw new NumberFormatException();
            return new HostPort(s.substring(0, i), port);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + ": port must be 0..65535, got '" + s.substring(i + 1) + "'");
        }
    }
}
