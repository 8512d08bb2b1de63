package io.ferry.nbd;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Where an NBD server listens: a Unix domain socket or a TCP host and port.
 *
 * <p>{@link #parse(String)} accepts the NBD URI forms used by qemu and libnbd:
 * {@code nbd+unix:///EXPORT?socket=/path/to.sock} and {@code nbd://HOST[:PORT]/EXPORT}
 * (port defaults to 10809). Use {@link NbdUri#parse(String)} to also get the export name.
 */
public sealed interface NbdAddress {

    /** The IANA port for NBD. */
    int DEFAULT_PORT = 10809;

    /** A Unix domain socket. */
    record Unix(Path socket) implements NbdAddress {
        public Unix {
            Objects.requireNonNull(socket, "socket");
        }

        @Override
        public String toUri(String exportName) {
            return "nbd+unix:///" + NbdUri.encodeExport(exportName) + "?socket=" + socket;
        }
    }

    /** A TCP endpoint. Port 0 asks {@link NbdServer} to pick a free port. */
    record Tcp(String host, int port) implements NbdAddress {
        public Tcp {
            Objects.requireNonNull(host, "host");
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("TCP port out of range: " + port);
            }
        }

        @Override
        public String toUri(String exportName) {
            String h = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
            return "nbd://" + h + ":" + port + "/" + NbdUri.encodeExport(exportName);
        }
    }

    /** This address as an NBD URI naming {@code exportName}, the form nbdinfo and qemu-img accept. */
    String toUri(String exportName);

    /** Parses an NBD URI and returns its address (the export name is dropped; see {@link NbdUri}). */
    static NbdAddress parse(String uri) {
        return NbdUri.parse(uri).address();
    }

    /**
     * An NBD URI split into address and export name.
     *
     * @param address where the server listens
     * @param exportName the export ("" is the server's default export)
     */
    record NbdUri(NbdAddress address, String exportName) {
        public NbdUri {
            Objects.requireNonNull(address, "address");
            Objects.requireNonNull(exportName, "exportName");
        }

        /** Parses {@code nbd+unix:///EXPORT?socket=PATH} or {@code nbd://HOST[:PORT]/EXPORT}. */
        public static NbdUri parse(String uri) {
            Objects.requireNonNull(uri, "uri");
            URI u;
            try {
                u = new URI(uri);
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException("not a valid NBD URI: '" + uri
                        + "'; expected nbd+unix:///EXPORT?socket=/path or nbd://host:port/EXPORT", e);
            }
            String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(java.util.Locale.ROOT);
            String rawPath = u.getRawPath() == null ? "" : u.getRawPath();
            String export = decode(rawPath.startsWith("/") ? rawPath.substring(1) : rawPath);
            switch (scheme) {
                case "nbd+unix" -> {
                    String socket = null;
                    String query = u.getRawQuery();
                    if (query != null) {
                        for (String kv : query.split("&")) {
                            int eq = kv.indexOf('=');
                            if (eq > 0 && kv.substring(0, eq).equals("socket")) {
                                socket = decode(kv.substring(eq + 1));
                            }
                        }
                    }
                    if (socket == null || socket.isEmpty()) {
                        throw new IllegalArgumentException("NBD URI '" + uri
                                + "' has no socket; expected nbd+unix:///EXPORT?socket=/path/to.sock");
                    }
                    return new NbdUri(new Unix(Path.of(socket)), export);
                }
                case "nbd" -> {
                    String host = u.getHost();
                    if (host == null || host.isEmpty()) {
                        throw new IllegalArgumentException("NBD URI '" + uri
                                + "' has no host; expected nbd://host:port/EXPORT");
                    }
                    if (host.startsWith("[") && host.endsWith("]")) {
                        host = host.substring(1, host.length() - 1);
                    }
                    int port = u.getPort() < 0 ? DEFAULT_PORT : u.getPort();
                    return new NbdUri(new Tcp(host, port), export);
                }
                default -> throw new IllegalArgumentException("unsupported NBD URI scheme in '" + uri
                        + "'; supported: nbd+unix:///EXPORT?socket=/path and nbd://host:port/EXPORT (TLS schemes nbds are not supported)");
            }
        }

        /** The URI form of this address and export. */
        @Override
        public String toString() {
            return address.toUri(exportName);
        }

        private static String decode(String s) {
            return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
        }

        static String encodeExport(String export) {
            return URLEncoder.encode(export, StandardCharsets.UTF_8).replace("+", "%20").replace("%2F", "/");
        }
    }
}
