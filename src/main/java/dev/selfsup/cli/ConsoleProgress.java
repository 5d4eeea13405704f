package dev.selfsup.cli;

import dev.selfsup.train.EpochMetrics;
import dev.selfsup.train.EpochRecord;
import dev.selfsup.train.ProgressListener;
import java.io.PrintStream;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Draws a progress bar per epoch (views/s, loss, ETA) and prints each epoch's metrics. Close it
 * when the run ends, however it ends: a bar left open by a failed epoch is finished on its own
 * line, so the error that follows starts a line of its own.
 */
final class ConsoleProgress implements ProgressListener, AutoCloseable {
    private final PrintStream out;
    private ProgressBar bar;

    ConsoleProgress(PrintStream out) {
        this.out = out;
    }

    @Override
    public void epochStarted(int epoch, int epochs, int steps, int done) {
        bar = new ProgressBarBuilder()
                .setTaskName(String.format("epoch %d/%d", epoch, epochs))
                .setInitialMax(steps)
                .setStyle(ProgressBarStyle.ASCII)
                .setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(System.err))
                .setUpdateIntervalMillis(500)
                .showSpeed()
                .setUnit(" steps", 1)
                .build();
        bar.stepTo(done);
    }

    @Override
    public void stepFinished(long step, double loss, double viewsPerSecond) {
        if (bar != null) {
            bar.setExtraMessage(String.format(" loss %.4f | %.0f views/s", loss, viewsPerSecond));
            bar.step();
        }
    }

    @Override
    public void epochTrained(int epoch) {
        close();
    }

    /** Finishes the open bar, if any (its last line ends with a newline). */
    @Override
    public void close() {
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }

    @Override
    public void epochFinished(EpochRecord record) {
        if (!(record instanceof EpochMetrics m)) {
            out.printf("epoch %d: loss %.4f%n", record.epoch(), record.loss());
            out.flush();
            return;
        }
        out.printf("epoch %d: loss %.4f  lr %.2e  %.0f views/s  %.1f s%s%s%n", m.epoch(), m.loss(),
                m.learningRate(), m.viewsPerSecond(), m.epochSeconds(),
                m.knnTop1() != null ? String.format("  knn_top1 %.4f", m.knnTop1()) : "",
                m.embeddingStd() != null ? String.format("  embedding_std %.3f", m.embeddingStd()) : "");
        out.flush();
    }

    @Override
    public void note(String message) {
        out.println(message);
        out.flush();
    }

    @Override
    public void warn(String message) {
        out.println("warning: " + message);
        out.flush();
    }
}
