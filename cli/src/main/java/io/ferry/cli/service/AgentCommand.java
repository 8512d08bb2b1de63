package io.ferry.cli.service;

import io.ferry.agent.Agent;
import io.ferry.agent.AgentConfig;
import io.ferry.hypervisor.Libvirt;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Pattern;

@Command(name = "agent", mixinStandardHelpOptions = true,
        description = "Run the agent of this KVM host: registers once with a key, then connects out to the vault.")
public final class AgentCommand implements Callable<Integer> {
    @Option(names = "--vault", required = true, description = "the vault's URL, https://HOST:PORT") URI vault;

    @Option(names = "--state", defaultValue = "/var/lib/ferry/agent", description = "identity, keys and repositories; default ${DEFAULT-VALUE}")
    Path state;

    @Option(names = "--key", description = "one-time registration key (first start only)") String key;

    @Option(names = "--ca-fingerprint", description = "the vault CA's fingerprint printed with the key (first start only)")
    String fingerprint;

    @Option(names = "--data-listen", description = "serve repositories to other agents on ADDRESS:PORT (recovery hosts)")
    String dataListen;

    @Option(names = "--data-advertise", description = "ADDRESS:PORT other agents use to reach --data-listen")
    String dataAdvertise;

    @Option(names = "--hostname", description = "name to register under; default: this host's name") String hostname;

    @Option(names = "--inventory-filter", defaultValue = ".*",
            description = "report only domains whose name matches (lab hosts sharing one libvirt); default ${DEFAULT-VALUE}")
    String filter;

    @Option(names = "--libvirt", defaultValue = "qemu:///system") String libvirtUri;

    @Override
    public Integer call() throws Exception {
        io.ferry.cli.Main.serviceLogging();
        InetSocketAddress listen = null;
        if (dataListen != null) {
            HostPort hp = HostPort.parse(dataListen, "--data-listen");
            listen = new InetSocketAddress(InetAddress.getByName(hp.host()), hp.port());
        }
        String name = hostname != null ? hostname : InetAddress.getLocalHost().getHostName();
        AgentConfig cfg = new AgentConfig(vault, state, key, fingerprint, listen, dataAdvertise, Pattern.compile(filter),
                libvirtUri, name, 0, null);
        Agent agent = new Agent(cfg, new Libvirt(libvirtUri)).start();
        System.out.println("agent " + agent.hostId() + " running; vault " + vault);
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            agent.close();
            stop.countDown();
        }));
        stop.await();
        return 0;
    }
}
