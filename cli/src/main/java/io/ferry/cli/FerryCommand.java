package io.ferry.cli;

import picocli.CommandLine.Command;

/** The top-level {@code ferry} command. */
@Command(name = "ferry", mixinStandardHelpOptions = true, version = "ferry 0.1.0",
        description = "Site recovery for KVM/QEMU virtual machines.",
        subcommands = {RepoCommand.class, CaptureCommand.class, RestoreCommand.class, ExportCommand.class,
                DemoCommand.class, picocli.CommandLine.HelpCommand.class})
public final class FerryCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
