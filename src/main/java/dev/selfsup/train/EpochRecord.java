package dev.selfsup.train;

/**
 * One line of a run's {@code metrics.jsonl}, whatever the modality: {@link EpochMetrics} for
 * images, {@link TextEpochMetrics} for text, or a user's own record for a {@link TrainingTask} of
 * their own. It must map to a JSON object with at least {@code epoch}, {@code step},
 * {@code loss}, {@code lr}, {@code views_per_second} and {@code epoch_seconds} (the report plots
 * them; {@link TrainingTask.EpochTotals} has them all), and read back from it (a record with
 * those {@code @JsonProperty} names does); any further field is kept and shown as it is.
 */
public interface EpochRecord {
    /** The 1-based epoch. */
    int epoch();

    /** Global steps done at the end of the epoch. */
    long step();

    /** Mean training loss over the epoch's steps. */
    double loss();
}
