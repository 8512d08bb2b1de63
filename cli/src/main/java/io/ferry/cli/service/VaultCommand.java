package io.ferry.cli.service;

import io.ferry.vault.Vault;
import io.ferry.vault.VaultConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

@Command(name = "vault", mixinStandardHelpOptions = true,
        description = "Run the vault: API on HTTPS, database (embedded SQLite unless --database), jobs, CA.")
public final class VaultCommand implements Callable<Integer> {
    @Option(names = "--data", defaultValue = "/var/lib/ferry/vault", description = "data directory (CA, SQLite database); default ${DEFAULT-VALUE}")
    Path data;

    @Option(names = "--listen", defaultValue = "0.0.0.0:8443", description = "address:port of the API; default ${DEFAULT-VALUE}")
    String listen;

    @Option(names = "--advertise", description = "host name or address agents and users reach the vault by (repeatable)")
    List<String> advertise;

    @Option(names = "--database", description = "PostgreSQL JDBC URL (jdbc:postgresql://host/db); default: embedded SQLite")
    String database;

    @Option(names = "--database-user") String dbUser;

    @Option(names = "--database-password-env", description = "environment variable holding the database password")
    String dbPasswordEnv;

    @Option(names = "--heartbeat", defaultValue = "5s", description = "agent heartbeat interval; default ${DEFAULT-VALUE}")
    String heartbeat;

    @Option(names = "--agent-silent-after", description = "raise AGENT_SILENT after this long without a heartbeat (default 6 heartbeats)")
    String silentAfter;

    @Option(names = "--gc-grace", defaultValue = "24h", description = "repositories keep unreferenced blobs this long (longer than the longest initial copy); default ${DEFAULT-VALUE}")
    String gcGrace;

    @Option(names = "--restore-patience", defaultValue = "3m", description = "a failback whose home agent cannot write or start the machine (it retries) fails after this long, leaving it PROTECTED with its recovery-site copy shut off; default ${DEFAULT-VALUE}")
    String restorePatience;

    @Override
    public Integer call() throws Exception {
        io.ferry.cli.Main.serviceLogging();
        HostPort hp = HostPort.parse(listen, "--listen");
        Duration hb = Durations.parse(heartbeat, "--heartbeat");
        VaultConfig cfg = new VaultConfig(data, database, dbUser, dbPasswordEnv == null ? null : System.getenv(dbPasswordEnv),
                InetAddress.getByName(hp.host()), hp.port(), advertise, hb,
                silentAfter == null ? null : Durations.parse(silentAfter, "--agent-silent-after"), null, null,
                Durations.parse(gcGrace, "--gc-grace"), Durations.parse(restorePatience, "--restore-patience"));
        Vault vault = Vault.start(cfg);
        System.out.println("vault: " + vault.url() + "  CA fingerprint: " + vault.ca().fingerprint());
        vault.generatedAdminPassword().ifPresent(pw -> System.out.println("admin password written to " + data.resolve("admin-password")));
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            vault.close();
            stop.countDown();
        }));
        stop.await();
        return 0;
    }
}
