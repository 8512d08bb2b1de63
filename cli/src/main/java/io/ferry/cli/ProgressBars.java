package io.ferry.cli;

import io.ferry.repository.ProgressListener;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.io.PrintStream;

/** Shows data-path progress as one progress bar per phase on stderr (or nothing when quiet). */
final class ProgressBars implements ProgressListener, AutoCloseable {
    private final boolean enabled;
    private String phase;
    private ProgressBar bar;

    ProgressBars(boolean enabled) {
        this.enabled = enabled;
    }

    @Override
    public synchronized void progress(String phase, long done, long total) {
        if (!enabled) {
            return;
        }
        if (!phase.equals(this.phase)) {
            close();
            this.phase = phase;
            bar = new ProgressBarBuilder().setTaskName(phase).setInitialMax(Math.max(total, 0))
                    .setStyle(ProgressBarStyle.ASCII).setUnit(" MiB", 1 << 20).showSpeed()
                    .setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(new PrintStream(System.err, true)))
                    .setUpdateIntervalMillis(250).build();
        }
        if (total >= 0 && bar.getMax() != total) {
            bar.maxHint(total);
        }
        bar.stepTo(done);
    }

    @Override
    public synchronized void close() {
        if (bar != null) {
            bar.close();
            bar = null;
            phase = null;
        }
    }
}
