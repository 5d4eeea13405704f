package dev.selfsup.nn;

import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.training.initializer.XavierInitializer;

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
        checkWidths(hiddenDim, outputDim);
        SequentialBlock head = new ReleasingSequentialBlock()
                .add(Linear.builder().setUnits(hiddenDim).build())
                .add(new ChannelBatchNorm())
                .add(InPlace::relu)
                .add(Linear.builder().setUnits(outputDim).build());
        return withLinearDefaults(head);
    }

    /**
     * Gives every linear weight of {@code head} PyTorch's default, uniform in
     * {@code ±1/sqrt(fan_in)}, in place of DJL's (Xavier, {@code ±sqrt(12/(fan_in + fan_out))},
     * 2.4× wider for a 128-128 layer). With a batch norm or a cosine similarity after each layer
     * the scale does not change the function, only how far an Adam step moves it relative to the
     * weights: the narrower start learns faster (SimCLR on 20,000 Fashion-MNIST images, kNN
     * after 3 epochs 0.7548 -> 0.7608; BENCHMARKS.md, "Time to quality").
     */
    static SequentialBlock withLinearDefaults(SequentialBlock head) {
        head.setInitializer(new XavierInitializer(XavierInitializer.RandomType.UNIFORM,
                XavierInitializer.FactorType.IN, 1), Parameter.Type.WEIGHT);
        return head;
    }

    /**
     * SimSiam's projection MLP in its CIFAR set-up (Chen and He 2021,
     * https://arxiv.org/abs/2011.10566, appendix): Linear(hidden), BatchNorm, ReLU,
     * Linear(outputDim), BatchNorm: batch norm on every layer, the output's included.
     */
    public static SequentialBlock simSiam(int hiddenDim, int outputDim) {
        return mlp(hiddenDim, outputDim).add(new ChannelBatchNorm());
    }

    /**
     * MoCo v2's projection head (Chen et al. 2020, https://arxiv.org/abs/2003.04297, section 2):
     * Linear(hidden), ReLU, Linear(outputDim), no batch norm; the paper uses 2048 and 128.
     */
    public static SequentialBlock mocoV2(int hiddenDim, int outputDim) {
        checkWidths(hiddenDim, outputDim);
        return withLinearDefaults(new ReleasingSequentialBlock()
                .add(Linear.builder().setUnits(hiddenDim).build())
                .add(InPlace::relu)
                .add(Linear.builder().setUnits(outputDim).build()));
    }

    private static void checkWidths(int hiddenDim, int outputDim) {
        if (hiddenDim <= 0 || outputDim <= 0) {
            throw new IllegalArgumentException("head widths must be > 0, found hidden="
                    + hiddenDim + ", output=" + outputDim);
        }
    }
}
