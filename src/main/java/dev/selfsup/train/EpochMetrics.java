package dev.selfsup.train;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;
import java.util.Map;

/**
 * One line of {@code metrics.jsonl}: what an epoch did.
 *
 * @param epoch 1-based epoch number
 * @param step global steps done at the end of the epoch
 * @param loss mean training loss over the epoch's steps
 * @param learningRate the rate of the epoch's last step
 * @param viewsPerSecond training throughput (views through forward and backward per second)
 * @param knnTop1 kNN top-1 on the test split (null when the monitor did not run this epoch)
 * @param embeddingStd std of l2-normalised test features times sqrt(dim) (null with knnTop1)
 * @param epochSeconds wall time of the epoch's training steps
 * @param peakRssMb the process's peak resident memory so far, in MiB (2^20 bytes), or null where
 *     the platform does not report it (and in logs of older runs)
 * @param diagnostics the method's own measurements ({@code Method#epochDiagnostics}, e.g. DINO's
 *     teacher entropy), or null for a method without any
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record EpochMetrics(
        int epoch,
        long step,
        double loss,
        @JsonProperty("lr") double learningRate,
        double viewsPerSecond,
        Double knnTop1,
        Double embeddingStd,
        double epochSeconds,
        Double peakRssMb,
        @JsonInclude(JsonInclude.Include.NON_NULL) Map<String, Double> diagnostics)
        implements EpochRecord {}
