package dev.selfsup.train;

/**
 * One line of a run's {@code metrics.jsonl}, whatever the modality: {@link EpochMetrics} for
 * images, {@link TextEpochMetrics} for text, or a user's own record for a {@link TrainingTask} of
 * their own (a JSON-mappable record).
 */
public interface EpochRecord {
    /** The 1-based epoch. */
    int epoch();

    /** Global steps done at the end of the epoch. */
    long step();

    /** Mean training loss over the epoch's steps. */
    double loss();
}
