package dev.selfsup.train;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;

/**
 * What one modality brings to the {@link TrainingLoop}: the model being trained, the batches of
 * each epoch (data and views), what to measure after an epoch, and what a checkpoint holds beside
 * the weights. The loop owns everything else: the optimiser, the schedule, per-step seeding,
 * divergence checks, checkpoints, resume, {@code metrics.jsonl} and the report. Images
 * ({@code ImageTask}, behind {@link Pretrainer}) and text ({@code TextTask}, behind
 * {@link TextPretrainer}) are two tasks; a new modality (audio spectrograms, say) is a third,
 * with nothing to change in the loop.
 *
 * @param <M> the record of {@code metrics.jsonl}
 */
public interface TrainingTask<M extends EpochRecord> {
    /** The root block holding every trained part. */
    Block model();

    /** Creates the model's parameters in {@code modelManager}. */
    void initialize(NDManager modelManager);

    /**
     * Called once the parameters exist (and take gradients) and before a checkpoint, if any, is
     * loaded into them: a momentum method copies its online network into its target here.
     */
    default void afterInitialize() {}

    /** Optimiser steps per epoch. */
    int stepsPerEpoch();

    /** The record type of {@code metrics.jsonl}, to read back a resumed run's lines. */
    Class<M> metricsType();

    /**
     * The batches of one epoch, in order.
     *
     * @param epoch the 0-based epoch
     * @param firstStep the run's 0-based index of the epoch's first step
     */
    Iterator<TrainingStep.Batch> batches(int epoch, long firstStep);

    /** Runs before every step's forward pass (a method's schedules read the step here). */
    default void beforeStep(long step, long totalSteps) {}

    /**
     * Called after every optimiser update, outside gradient recording and before the step's
     * arrays are closed (momentum updates, memory-bank writes).
     *
     * @param step the 0-based index of the update just applied
     * @param totalSteps the updates the run applies in all
     */
    default void afterStep(long step, long totalSteps) {}

    /**
     * An epoch's training steps are done: measure what the modality measures (kNN, held-out
     * accuracy) and return the epoch's line of {@code metrics.jsonl}.
     *
     * @param modelManager the manager owning the parameters; evaluate in sub-managers of it
     */
    M finishEpoch(EpochTotals totals, NDManager modelManager) throws IOException;

    /** The {@code state.json} of the checkpoint saved after {@code epoch} epochs. */
    Object checkpointState(int epoch, long step, long optimizerUpdates);

    /** Files saved in every checkpoint beside the weights (e.g. a vocabulary): name to contents. */
    default Map<String, byte[]> checkpointFiles() throws IOException {
        return Map.of();
    }

    /** Called once an epoch's checkpoint is saved, e.g. to draw the method's pictures. */
    default void afterCheckpoint(Path runDir, int epoch, NDManager modelManager) throws IOException {}

    /** What a user should try when the loss diverges, e.g. {@code "lower --lr"}. */
    default String divergenceAdvice() {
        return "lower --lr";
    }

    /**
     * What the loop measured of one epoch's training steps.
     *
     * @param epoch the 1-based epoch
     * @param step global steps done at its end
     * @param meanLoss mean loss over its steps
     * @param learningRate the rate of its last step
     * @param seconds wall time of its training steps
     * @param examples rows its batches held in all (views for image methods)
     */
    record EpochTotals(int epoch, long step, double meanLoss, double learningRate,
            double seconds, long examples) {}
}
