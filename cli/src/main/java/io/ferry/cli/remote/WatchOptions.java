package io.ferry.cli.remote;

import picocli.CommandLine.Option;
import tools.jackson.databind.JsonNode;

import java.util.List;

/** How commands that wait for jobs poll them (hidden: tests poll faster than once a second). */
final class WatchOptions {
    @Option(names = "--poll-interval-ms", hidden = true, defaultValue = "1000")
    long pollIntervalMillis;

    /** Follows the jobs until they end, printing as {@link JobWatcher} does; returns their final states. */
    List<JsonNode> watch(RemoteCommand command, List<String> jobIds) throws InterruptedException {
        boolean terminal = RemoteEnv.terminal() != null;
        JobWatcher w = new JobWatcher(command.client(), command.out(), command.err(), terminal, command.json(),
                Math.max(10, pollIntervalMillis));
        List<JsonNode> jobs = w.watch(jobIds);
        if (command.json()) {
            Json.print(command.out(), jobs.size() == 1 ? jobs.get(0) : jobs);
        }
        return jobs;
    }
}
