package dev.selfsup.method;

import ai.djl.ndarray.NDArray;
import ai.djl.training.ParameterStore;
import dev.selfsup.augment.PatchMask;
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

    /**
     * Small local views per sample besides the {@link #viewCount()} global ones (multi-crop,
     * Caron et al. 2020, https://arxiv.org/abs/2006.09882); none by default. They reach
     * {@link #loss} as {@link ViewBatch#localImages()}.
     */
    default int localViewCount() {
        return 0;
    }

    /** Side of the local views for global views of side {@code globalSide}. */
    default int localViewSize(int globalSide) {
        return globalSide;
    }

    /**
     * The patch mask the loader draws with each of the {@link #viewCount()} global views of every
     * sample, from the run's seed (iBOT's student masks); they reach {@link #loss} as
     * {@link ViewBatch#masks()}. None by default.
     */
    default Optional<PatchMask> patchMask() {
        return Optional.empty();
    }

    /** The name of the view recipe this method is meant to train with. */
    String defaultRecipe();

    /**
     * Runs the model on a batch of views and returns the scalar loss to minimise.
     *
     * @param training whether batch norm uses batch statistics (and updates running ones)
     */
    NDArray loss(ParameterStore parameterStore, ViewBatch batch, boolean training);

    /**
     * Called once the model's parameters exist and before a checkpoint, if any, is loaded into
     * them: a momentum method copies its online network into its target here.
     */
    default void afterInitialize() {}

    /**
     * Called before every training step's forward pass: a method whose loss follows a schedule
     * over the run (DINO's teacher temperature) reads its position here.
     *
     * @param step the 0-based index of the step about to run
     * @param totalSteps the updates the run will apply in all ({@link Long#MAX_VALUE} for an
     *     open-ended run)
     */
    default void beforeStep(long step, long totalSteps) {}

    /**
     * Called after every optimiser update, outside gradient recording and before the step's
     * arrays are closed: momentum (EMA) updates and memory-bank writes happen here.
     *
     * @param step the 0-based index of the update just applied
     * @param totalSteps the updates the run will apply in all ({@link Long#MAX_VALUE} for an
     *     open-ended run)
     */
    default void afterStep(long step, long totalSteps) {}

    /**
     * The method's own measurements of the training steps since the last call, by name (e.g.
     * DINO's {@code teacher_entropy}), each a mean over those steps; written into the epoch's
     * line of {@code metrics.jsonl}. Empty by default.
     */
    default java.util.Map<String, Double> epochDiagnostics() {
        return java.util.Map.of();
    }

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
