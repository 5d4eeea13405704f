package dev.selfsup.train;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.selfsup.nn.TextEncoderConfig;

/**
 * {@code state.json} of a text checkpoint: where training stood and the encoder's size; the
 * vocabulary lies beside it in {@code tokenizer.json}.
 *
 * @param modality always {@code text}, telling text checkpoints from image ones
 * @param epoch epochs completed
 * @param step global steps completed
 * @param optimizerUpdates updates the optimiser has applied
 * @param method the method's name
 * @param encoder the encoder's size
 */
public record TextCheckpointState(
        String modality,
        int epoch,
        long step,
        @JsonProperty("optimizer_updates") long optimizerUpdates,
        String method,
        TextEncoderConfig encoder) {
    /** The value of {@link #modality} for text. */
    public static final String TEXT = "text";
}
