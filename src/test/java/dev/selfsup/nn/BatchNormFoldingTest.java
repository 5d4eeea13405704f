package dev.selfsup.nn;

import static dev.selfsup.testing.Asserts.assertAllClose;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Inference folds a {@link ChannelBatchNorm} into the convolution before it: the same values as
 * the convolution followed by the batch norm's equation, and the same gradients.
 */
class BatchNormFoldingTest {
    private static final double EPSILON = 1e-5;

    @Test
    void foldedConvolutionMatchesTheBatchNormEquation() {
        record Case(int kernel, int stride, boolean bias, boolean channelsLast) {}
        for (Case c : List.of(new Case(3, 1, false, false), new Case(3, 2, false, true),
                new Case(1, 2, true, false), new Case(3, 1, true, true))) {
            try (NDManager manager = NDManager.newBaseManager()) {
                manager.getEngine().setRandomSeed(3);
                Conv2d conv = conv(4, c.kernel(), c.stride(), c.bias());
                ChannelBatchNorm norm = new ChannelBatchNorm();
                Shape inputShape = new Shape(2, 3, 6, 6);
                conv.initialize(manager, DataType.FLOAT32, inputShape);
                norm.initialize(manager, DataType.FLOAT32, conv.getOutputShapes(
                        new Shape[] {inputShape})[0]);
                float[][] stats = setStatistics(norm, 4);
                ParameterStore store = new ParameterStore(manager, false);
                NDArray x = manager.randomNormal(inputShape);
                if (c.channelsLast()) {
                    x = ChannelsLast.of(x);
                }
                NDArray convolved = conv.forward(store, new NDList(x), false).singletonOrThrow();
                float[] expected = batchNormByHand(convolved.toFloatArray(),
                        convolved.getShape(), stats);
                NDArray folded = norm.afterConvolution(store, conv, x);
                assertThat(folded.getShape()).as(c.toString()).isEqualTo(convolved.getShape());
                assertAllClose(folded.toFloatArray(), expected, 1e-5, 1e-5);
            }
        }
    }

    @Test
    void inferenceThroughASequentialBlockMatchesChildByChildWithGradients() {
        List<float[]> folded = inferenceWithGradients(true);
        List<float[]> unfolded = inferenceWithGradients(false);
        assertThat(folded).hasSameSizeAs(unfolded);
        for (int i = 0; i < folded.size(); i++) {
            assertAllClose(folded.get(i), unfolded.get(i), 1e-4, 1e-5);
        }
    }

    @Test
    void aScopeMakesEachFoldOnceAndFreesItAtClose() {
        try (NDManager manager = NDManager.newBaseManager()) {
            manager.getEngine().setRandomSeed(9);
            Shape shape = new Shape(2, 3, 6, 6);
            ReleasingSequentialBlock block = convBatchNormBlock(manager, shape,
                    conv(5, 3, 1, false), conv(4, 3, 2, true));
            List<Block> children = block.getChildren().values();
            ParameterStore store = new ParameterStore(manager, false);
            NDArray x = manager.randomNormal(shape);
            float[] unscoped = block.forward(store, new NDList(x), false).singletonOrThrow()
                    .toFloatArray();
            NDArray[] firstFold;
            try (InferenceFolding outer = InferenceFolding.open(manager)) {
                try (InferenceFolding scope = InferenceFolding.open(manager)) {
                    for (int pass = 0; pass < 3; pass++) {
                        float[] scoped = block.forward(store, new NDList(x), false)
                                .singletonOrThrow().toFloatArray();
                        assertThat(scoped).containsExactly(unscoped);
                        assertThat(scope.size()).isEqualTo(2); // one per batch norm, made once
                    }
                    firstFold = scope.folded((ChannelBatchNorm) children.get(1), () -> {
                        throw new AssertionError("the fold was made again");
                    });
                    assertThat(firstFold[0].hasGradient()).isFalse();
                    assertThat(outer.size()).isZero();
                }
                assertThat(InferenceFolding.active()).isSameAs(outer);
            }
            assertThat(InferenceFolding.active()).isNull();
            assertThat(firstFold[0].isReleased()).isTrue();
            assertThat(firstFold[1].isReleased()).isTrue();
        }
    }

    @Test
    void aBatchNormThatDoesNotFitTheConvolutionIsNamed() {
        try (NDManager manager = NDManager.newBaseManager()) {
            Conv2d conv = conv(4, 3, 1, false);
            conv.initialize(manager, DataType.FLOAT32, new Shape(1, 3, 5, 5));
            ChannelBatchNorm norm = new ChannelBatchNorm();
            norm.initialize(manager, DataType.FLOAT32, new Shape(1, 6, 5, 5));
            NDArray x = manager.ones(new Shape(1, 3, 5, 5));
            assertThatThrownBy(() -> norm.afterConvolution(new ParameterStore(manager, false),
                    conv, x)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("6 channels").hasMessageContaining("4 filters");
        }
    }

    /**
     * The block's inference output, then the gradients of a weighted sum of it with respect to
     * the input and every trainable parameter; {@code folded} false runs the children one by one.
     */
    private static List<float[]> inferenceWithGradients(boolean folded) {
        try (NDManager manager = NDManager.newBaseManager()) {
            manager.getEngine().setRandomSeed(5);
            Shape shape = new Shape(3, 2, 7, 7);
            ReleasingSequentialBlock block = convBatchNormBlock(manager, shape,
                    conv(5, 3, 2, false), conv(4, 1, 1, true));
            List<Block> children = block.getChildren().values();
            List<NDArray> trainable = new ArrayList<>();
            for (Pair<String, Parameter> p : block.getParameters()) {
                if (p.getValue().requiresGradient()) {
                    p.getValue().getArray().setRequiresGradient(true);
                    trainable.add(p.getValue().getArray());
                }
            }
            ParameterStore store = new ParameterStore(manager, false);
            NDArray x = manager.randomNormal(shape);
            x.setRequiresGradient(true);
            List<float[]> result = new ArrayList<>();
            try (GradientCollector collector = manager.getEngine().newGradientCollector()) {
                NDArray out;
                if (folded) {
                    out = block.forward(store, new NDList(x), false).singletonOrThrow();
                } else {
                    NDList current = new NDList(x);
                    for (Block child : children) {
                        current = child.forward(store, current, false);
                    }
                    out = current.singletonOrThrow();
                }
                result.add(out.toFloatArray());
                NDArray weights = manager.arange(0f, (float) out.size()).reshape(out.getShape());
                collector.backward(out.mul(weights).sum());
            }
            result.add(x.getGradient().toFloatArray());
            for (NDArray parameter : trainable) {
                result.add(parameter.getGradient().toFloatArray());
            }
            // inference leaves the running statistics as they were
            float[][] expected = statistics(5);
            ChannelBatchNorm first = (ChannelBatchNorm) children.get(1);
            assertThat(first.getParameters().get("runningMean").getArray().toFloatArray())
                    .containsExactly(expected[2]);
            assertThat(first.getParameters().get("runningVar").getArray().toFloatArray())
                    .containsExactly(expected[3]);
            return result;
        }
    }

    /**
     * {@code first}, batch norm, ReLU, {@code second}, batch norm, initialised for {@code shape},
     * the batch norms given {@link #statistics}.
     */
    private static ReleasingSequentialBlock convBatchNormBlock(NDManager manager, Shape shape,
            Conv2d first, Conv2d second) {
        ReleasingSequentialBlock block = new ReleasingSequentialBlock();
        block.add(first).add(new ChannelBatchNorm()).add(InPlace::relu).add(second)
                .add(new ChannelBatchNorm());
        block.initialize(manager, DataType.FLOAT32, shape);
        List<Block> children = block.getChildren().values();
        setStatistics((ChannelBatchNorm) children.get(1), first.getFilters());
        setStatistics((ChannelBatchNorm) children.get(4), second.getFilters());
        return block;
    }

    private static Conv2d conv(int filters, int kernel, int stride, boolean bias) {
        return Conv2d.builder().setKernelShape(new Shape(kernel, kernel)).setFilters(filters)
                .optStride(new Shape(stride, stride)).optPadding(new Shape(kernel / 2, kernel / 2))
                .optBias(bias).build();
    }

    /** Gamma, beta, running mean and running variance, distinct per channel. */
    private static float[][] statistics(int channels) {
        float[][] stats = new float[4][channels];
        for (int c = 0; c < channels; c++) {
            stats[0][c] = 0.5f + 0.3f * c;
            stats[1][c] = -0.2f + 0.1f * c;
            stats[2][c] = 0.4f - 0.15f * c;
            stats[3][c] = 0.3f + 0.5f * c;
        }
        return stats;
    }

    private static float[][] setStatistics(ChannelBatchNorm norm, int channels) {
        float[][] stats = statistics(channels);
        String[] names = {"gamma", "beta", "runningMean", "runningVar"};
        for (int i = 0; i < names.length; i++) {
            norm.getParameters().get(names[i]).getArray().set(stats[i]);
        }
        return stats;
    }

    /** {@code (x - mean) / sqrt(var + eps) * gamma + beta} per channel of {@code (n, c, h, w)}. */
    private static float[] batchNormByHand(float[] x, Shape shape, float[][] stats) {
        int channels = (int) shape.get(1);
        int plane = (int) (shape.get(2) * shape.get(3));
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            int c = (i / plane) % channels;
            y[i] = (float) ((x[i] - stats[2][c]) / Math.sqrt(stats[3][c] + EPSILON) * stats[0][c]
                    + stats[1][c]);
        }
        return y;
    }
}
