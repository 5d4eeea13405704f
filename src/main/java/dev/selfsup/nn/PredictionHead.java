package dev.selfsup.nn;

import ai.djl.nn.SequentialBlock;

/**
 * Predictor MLPs of the non-contrastive methods: they map one view's projection
 * {@code (batch, projectionDim)} to a prediction of the other view's, {@code (batch, outputDim)}.
 * The asymmetry they add (a predictor on one branch, a stop-gradient on the other) is what keeps
 * BYOL and SimSiam from collapsing.
 */
public final class PredictionHead {
    private PredictionHead() {}

    /**
     * BYOL's predictor (https://arxiv.org/abs/2006.07733, section 3.3): Linear(hidden),
     * BatchNorm, ReLU, Linear(outputDim); the paper uses 4096 and 256.
     */
    public static SequentialBlock byol(int hiddenDim, int outputDim) {
        return ProjectionHead.mlp(hiddenDim, outputDim);
    }

    /**
     * SimSiam's bottleneck predictor (https://arxiv.org/abs/2011.10566, section 4.4):
     * Linear(bottleneck), BatchNorm, ReLU, Linear(outputDim), no batch norm on the output; the
     * paper's bottleneck is a quarter of the output width (512 for 2048).
     */
    public static SequentialBlock simSiam(int bottleneckDim, int outputDim) {
        return ProjectionHead.mlp(bottleneckDim, outputDim);
    }
}
