package io.ferry.cli;

import picocli.CommandLine.Command;

/** The top-level {@code ferry} command. */
@Command(name = "ferry", mixinStandardHelpOptions = true, version = "ferry 0.1.0",
        description = "Site recovery for KVM/QEMU virtual machines.",
        subcommands = {RepoCommand.class, CaptureCommand.class, RestoreCommand.class, ExportCommand.class,
                DemoCommand.class,
                io.ferry.cli.remote.LoginCommand.class, io.ferry.cli.remote.LogoutCommand.class, io.ferry.cli.remote.WhoamiCommand.class,
                io.ferry.cli.remote.TokensCommand.class, io.ferry.cli.remote.UsersCommand.class, io.ferry.cli.remote.SitesCommand.class,
                io.ferry.cli.remote.RegistrationKeyCommand.class, io.ferry.cli.remote.HostsCommand.class,
                io.ferry.cli.remote.MachinesCommand.class, io.ferry.cli.remote.PoliciesCommand.class,
                io.ferry.cli.remote.PairingsCommand.class, io.ferry.cli.remote.ProtectedCommand.class,
                io.ferry.cli.remote.ProtectCommand.class, io.ferry.cli.remote.UnprotectCommand.class,
                io.ferry.cli.remote.TestFailoverCommand.class, io.ferry.cli.remote.FailoverCommand.class,
                io.ferry.cli.remote.ChangePointCommand.class, io.ferry.cli.remote.CommitCommand.class,
                io.ferry.cli.remote.ReprotectCommand.class, io.ferry.cli.remote.FailbackCommand.class,
                io.ferry.cli.remote.PointsCommand.class, io.ferry.cli.remote.JobsCommand.class, io.ferry.cli.remote.AlertsCommand.class,
                io.ferry.cli.remote.AuditCommand.class,
                io.ferry.cli.service.VaultCommand.class, io.ferry.cli.service.AgentCommand.class,
                io.ferry.cli.service.QuickstartCommand.class,
                picocli.CommandLine.HelpCommand.class})
public final class FerryCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
