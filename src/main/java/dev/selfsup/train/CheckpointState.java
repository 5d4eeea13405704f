package dev.selfsup.train;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * {@code state.json} of a checkpoint: where training stood, and what is needed to rebuild the
 * model without the run's other files.
 *
 * @param epoch epochs completed
 * @param step global steps completed
 * @param optimizerUpdates updates the optimiser has applied (for bias correction)
 * @param method the method's name
 * @param backbone the backbone's name
 * @param channels input channels
 * @param height input height
 * @param width input width
 * @param temperature the method's temperature, or null
 * @param channelMean the input standardisation's per-channel mean
 * @param channelStd the input standardisation's per-channel std
 * @param queueSize the size of the method's memory bank, or null (none, or the default)
 */
public record CheckpointState(
        int epoch,
        long step,
        @JsonProperty("optimizer_updates") long optimizerUpdates,
        String method,
        String backbone,
        int channels,
        int height,
        int width,
        Double temperature,
        @JsonProperty("channel_mean") float[] channelMean,
        @JsonProperty("channel_std") float[] channelStd,
        @JsonProperty("queue_size") Integer queueSize) {}
