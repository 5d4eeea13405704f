package dev.selfsup.method;

import ai.djl.ndarray.NDArray;
import ai.djl.training.ParameterStore;
import dev.selfsup.data.ChannelStats;
import dev.selfsup.nn.Backbone;
import dev.selfsup.nn.PartsBlock;
import java.util.Optional;

/**
 * A self-supervised method: a backbone, its heads and its loss. A method is thin: it wires
 * public parts ({@code nn}, {@code loss}) together; the training loop ({@code train}) owns
 * optimisation, data and checkpoints.
 */
public interface Method {
    /** The name the CLI uses, e.g. {@code simclr}. */
    String name();

    /** The encoder being trained; its features are what evaluation measures. */
    default Backbone backbone() {
        return model().backbone();
    }

    /** The root block holding every trained part. */
    PartsBlock model();

    /** Views per sample the loss needs. */
    int viewCount();

    /** The name of the view recipe this method is meant to train with. */
    String defaultRecipe();

    /**
     * Runs the model on a batch of views and returns the scalar loss to minimise.
     *
     * @param training whether batch norm uses batch statistics (and updates running ones)
     */
    NDArray loss(ParameterStore parameterStore, ViewBatch batch, boolean training);

    /**
     * Pictures of what the method does with a few fixed images (e.g. masked, filled in,
     * original), drawn after every epoch; none by default.
     *
     * @param images standardised images {@code (count, C, H, W)}; run the model in inference mode
     * @param stats the standardisation, to bring pictures back to [0, 1]
     */
    default Optional<PictureSheet> pictures(ParameterStore parameterStore, NDArray images,
            ChannelStats stats) {
        return Optional.empty();
    }
}
