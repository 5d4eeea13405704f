package dev.selfsup.train;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.annotation.JsonNaming;

/**
 * One line of a text run's {@code metrics.jsonl}.
 *
 * @param epoch 1-based epoch
 * @param step global steps done
 * @param loss mean training loss of the epoch
 * @param learningRate the rate of the last step
 * @param sequencesPerSecond training throughput (JSON {@code views_per_second}, as image runs)
 * @param epochSeconds wall time of the training steps
 * @param maskedAccuracy held-out share of masked pieces predicted right (MLM), else null
 * @param reconstructionAccuracy held-out share of pieces rebuilt right (autoencoder), else null
 * @param perplexity held-out {@code exp(mean cross-entropy)} over the predicted pieces, else null
 * @param nspAccuracy held-out next-sentence accuracy, else null
 * @param viewAccuracy held-out share of views whose nearest other view in their batch is their
 *     partner (text-contrastive), else null
 * @param mostFrequentPieceRate the accuracy a constant guess would score on the same held-out
 *     pieces: the share of them that are the single most common one (MLM and autoencoder), else
 *     null. Masked or reconstruction accuracy means something only above it.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonNaming(PropertyNamingStrategies.SnakeCaseStrategy.class)
public record TextEpochMetrics(
        int epoch,
        long step,
        double loss,
        @JsonProperty("lr") double learningRate,
        @JsonProperty("views_per_second") double sequencesPerSecond,
        double epochSeconds,
        Double maskedAccuracy,
        Double reconstructionAccuracy,
        Double perplexity,
        Double nspAccuracy,
        Double viewAccuracy,
        Double mostFrequentPieceRate) implements EpochRecord {}
