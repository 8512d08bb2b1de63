package io.ferry.cli.remote;

import picocli.CommandLine.Command;

/** {@code ferry logout}: forgets the saved token (the vault and its CA stay for the next login). */
@Command(name = "logout", mixinStandardHelpOptions = true,
        description = "Forget the saved token. The vault URL and its CA certificate are kept for the next `ferry login`.")
public final class LogoutCommand extends RemoteCommand {
    @Override
    int execute() {
        CliConfig config = config();
        if (config.savedVault() == null) {
            out().println("not logged in");
            out().flush();
            return 0;
        }
        config.withSaved(config.savedVault(), null, config.caPem()).save();
        out().println("logged out of " + config.savedVault());
        out().flush();
        return 0;
    }
}
