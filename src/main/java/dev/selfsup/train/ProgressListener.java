package dev.selfsup.train;

/** Receives a training run's progress; the CLI draws a progress bar from it. */
public interface ProgressListener {
    /** An epoch starts; {@code steps} steps follow, the first {@code done} of which already ran. */
    default void epochStarted(int epoch, int epochs, int steps, int done) {}

    /** A step finished with this loss; {@code viewsPerSecond} is the epoch's running rate. */
    default void stepFinished(long step, double loss, double viewsPerSecond) {}

    /** The epoch's training steps are done; evaluation and checkpointing follow. */
    default void epochTrained(int epoch) {}

    /**
     * An epoch ended, with its metrics: {@link EpochMetrics} for images, {@link TextEpochMetrics}
     * for text.
     */
    default void epochFinished(EpochRecord metrics) {}

    /** A line worth showing the user before training, e.g. the defaults picked for the data. */
    default void note(String message) {}

    /** A message worth showing the user (e.g. a collapse warning). */
    default void warn(String message) {}

    /** A listener that ignores everything. */
    static ProgressListener silent() {
        return new ProgressListener() {};
    }
}
