package dev.selfsup.report;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * One line of a run's {@code metrics.jsonl}: the figures logged at the end of an epoch.
 *
 * @param epoch the epoch number, {@code >= 0} (JSON {@code epoch}; the trainer counts from 1)
 * @param step optimizer steps taken so far, {@code >= 0} (JSON {@code step})
 * @param loss the epoch's mean training loss (JSON {@code loss}); NaN for a diverged epoch
 * @param learningRate the learning rate at the end of the epoch (JSON {@code lr})
 * @param viewsPerSecond training throughput in augmented views per second (JSON {@code
 *     views_per_second})
 * @param epochSeconds wall-clock seconds the epoch took (JSON {@code epoch_seconds})
 * @param knnTop1 kNN top-1 accuracy on the test split in [0, 1], if evaluated this epoch (JSON
 *     {@code knn_top1}, absent or null otherwise)
 * @param embeddingStd spread of the normalised embeddings, a collapse diagnostic, if measured
 *     (JSON {@code embedding_std}, absent or null otherwise)
 * @param extra every other field of the line, as Jackson maps it (numbers, strings, booleans,
 *     lists, maps; null stays null), in file order
 */
public record MetricsRecord(
        int epoch,
        long step,
        double loss,
        double learningRate,
        double viewsPerSecond,
        double epochSeconds,
        OptionalDouble knnTop1,
        OptionalDouble embeddingStd,
        Map<String, Object> extra) {

    public MetricsRecord {
        Objects.requireNonNull(knnTop1, "knnTop1");
        Objects.requireNonNull(embeddingStd, "embeddingStd");
        Objects.requireNonNull(extra, "extra");
        if (epoch < 0) {
            throw new IllegalArgumentException("epoch must be >= 0, found " + epoch);
        }
        if (step < 0) {
            throw new IllegalArgumentException("step must be >= 0, found " + step);
        }
        // unmodifiable, keeping order and null values (Map.copyOf rejects nulls)
        extra = Collections.unmodifiableMap(new LinkedHashMap<>(extra));
    }
}
