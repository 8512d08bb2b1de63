package io.ferry.cli;

import io.ferry.repository.ProgressListener;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.io.PrintStream;

/**
 * Shows progress as one progress bar per phase on stderr: only on an interactive terminal,
 * never with JSON output. Phases whose name starts with "capturing" or "restoring" count
 * bytes; others count items.
 */
final class ProgressBars implements ProgressListener, AutoCloseable {
    private final boolean enabled;
    private String phase;
    private ProgressBar bar;

    ProgressBars(boolean wanted) {
        this.enabled = wanted && System.console() != null;
    }

    @Override
    public synchronized void progress(String phase, long done, long total) {
        if (!enabled) {
            return;
        }
        if (!phase.equals(this.phase)) {
            close();
            this.phase = phase;
            boolean bytes = phase.startsWith("capturing") || phase.startsWith("restoring");
            ProgressBarBuilder b = new ProgressBarBuilder().setTaskName(phase).setInitialMax(Math.max(total, 0))
                    .setStyle(ProgressBarStyle.ASCII);
            if (bytes) {
                b.setUnit(" MiB", 1 << 20).showSpeed();
            }
            bar = b
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
