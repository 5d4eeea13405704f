package dev.selfsup.nn;

import ai.djl.nn.Activation;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;

/**
 * MLP heads put on top of a backbone during pre-training and dropped afterwards. Input
 * {@code (batch, inputDim)}, output {@code (batch, outputDim)}.
 */
public final class ProjectionHead {
    private ProjectionHead() {}

    /**
     * SimCLR's projection head (https://arxiv.org/abs/2002.05709, section 2.1): Linear(hidden),
     * BatchNorm, ReLU, Linear(outputDim); the paper uses hidden = the backbone's feature width
     * and outputDim = 128.
     */
    public static SequentialBlock simclr(int hiddenDim, int outputDim) {
        return mlp(hiddenDim, outputDim);
    }

    /** Linear(hidden) - BatchNorm - ReLU - Linear(output). */
    public static SequentialBlock mlp(int hiddenDim, int outputDim) {
        if (hiddenDim <= 0 || outputDim <= 0) {
            throw new IllegalArgumentException("head widths must be > 0, found hidden="
                    + hiddenDim + ", output=" + outputDim);
        }
        return new ReleasingSequentialBlock()
                .add(Linear.builder().setUnits(hiddenDim).build())
                .add(BatchNorm.builder().build())
                .add(Activation::relu)
                .add(Linear.builder().setUnits(outputDim).build());
    }
}
