package io.ferry.cli.remote;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;

/**
 * A small certificate authority made with the JDK's keytool, for the TLS tests: a CA, a server
 * certificate it signs for {@code san}, and the CA certificate as PEM.
 */
final class TestPki {
    private static final String PASS = "changeit";
    private final Path dir;

    TestPki(Path dir) {
        this.dir = dir;
    }

    /** Creates a CA named {@code alias}; returns its certificate, PEM. */
    String ca(String alias) throws Exception {
        keytool("-genkeypair", "-alias", alias, "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=" + alias,
                "-ext", "bc:c", "-validity", "2", "-keystore", store(alias), "-storetype", "PKCS12", "-storepass", PASS);
        return keytool("-exportcert", "-rfc", "-alias", alias, "-keystore", store(alias), "-storepass", PASS);
    }

    /** A server key and a certificate for {@code san} (e.g. dns:localhost,ip:127.0.0.1) signed by {@code ca}: its SSL context. */
    SSLContext server(String alias, String ca, String san) throws Exception {
        keytool("-genkeypair", "-alias", alias, "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=" + alias,
                "-validity", "2", "-keystore", store(alias), "-storetype", "PKCS12", "-storepass", PASS);
        Path csr = dir.resolve(alias + ".csr");
        Path crt = dir.resolve(alias + ".crt");
        keytool("-certreq", "-alias", alias, "-keystore", store(alias), "-storepass", PASS, "-file", csr.toString());
        keytool("-gencert", "-alias", ca, "-keystore", store(ca), "-storepass", PASS, "-infile", csr.toString(), "-outfile",
                crt.toString(), "-rfc", "-validity", "2", "-ext", "san=" + san, "-ext", "eku=serverAuth");
        Path caCrt = dir.resolve(ca + ".crt");
        Files.writeString(caCrt, keytool("-exportcert", "-rfc", "-alias", ca, "-keystore", store(ca), "-storepass", PASS));
        keytool("-importcert", "-noprompt", "-alias", ca, "-file", caCrt.toString(), "-keystore", store(alias), "-storepass", PASS);
        keytool("-importcert", "-alias", alias, "-file", crt.toString(), "-keystore", store(alias), "-storepass", PASS);
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(Path.of(store(alias)))) {
            ks.load(in, PASS.toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, PASS.toCharArray());
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        return ctx;
    }

    private String store(String alias) {
        return dir.resolve(alias + ".p12").toString();
    }

    private static String keytool(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException("keytool " + String.join(" ", args) + " failed: " + out);
        }
        return out;
    }
}
