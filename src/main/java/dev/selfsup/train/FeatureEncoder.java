package dev.selfsup.train;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import dev.selfsup.eval.FeatureMatrix;
import dev.selfsup.util.Json;
import java.io.IOException;
import java.nio.file.Path;

/**
 * What evaluation and embedding need of an encoder, whatever its modality: one feature row per
 * input. {@link Encoder} embeds an {@code ImageSet}, {@link TextEncoder} a list of texts;
 * {@link #load} opens a checkpoint of either kind.
 *
 * <pre>{@code
 * FeatureEncoder<?> encoder = FeatureEncoder.load(Path.of("runs/simclr"), manager);
 * if (encoder instanceof Encoder images) {
 *     FeatureMatrix features = images.embed(data.test(), manager);   // (count, featureDim)
 * }
 * }</pre>
 *
 * @param <I> the inputs: images or texts
 */
public interface FeatureEncoder<I> {
    /** Features of every input, {@code (count, featureDim)}, in input order. */
    FeatureMatrix embed(I inputs, NDManager manager);

    /** The method the encoder was trained with ({@code random-init} for the baseline). */
    String methodName();

    /**
     * The encoder of a checkpoint (a checkpoint directory, or a run directory: its newest), text
     * or image as its {@code state.json} says, with its parameters under {@code manager}.
     *
     * @throws IOException naming the file when the checkpoint cannot be read
     */
    static FeatureEncoder<?> load(Path path, NDManager manager) throws IOException {
        Path checkpoint = Checkpoints.resolve(path);
        JsonNode state = Json.MAPPER.readTree(checkpoint.resolve(Checkpoints.STATE_FILE).toFile());
        if (state != null && TextCheckpointState.TEXT.equals(state.path("modality").asText())) {
            return TextEncoder.load(checkpoint, manager);
        }
        return Encoder.load(checkpoint, manager);
    }
}
