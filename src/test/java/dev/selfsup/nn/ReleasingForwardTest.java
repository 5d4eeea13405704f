package dev.selfsup.nn;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import dev.selfsup.train.TorchRuntime;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Closing intermediates early ({@link ReleasingSequentialBlock}, {@link ResidualBlock}) must not
 * change a single value of the forward pass or of any gradient, and must actually free arrays.
 */
class ReleasingForwardTest {
    /**
     * The reference: the same blocks and parameters run by plain loops that close nothing (what
     * DJL's own SequentialBlock does), with the same layout steps.
     */
    private static NDList plainForward(Block block, ParameterStore store, NDList x) {
        if (block instanceof ResidualBlock) {
            Block residual = child(block, "residual");
            Block shortcut = child(block, "shortcut");
            NDArray branch = plainForward(residual, store, x).singletonOrThrow();
            NDArray identity = shortcut == null
                    ? x.singletonOrThrow() : plainForward(shortcut, store, x).singletonOrThrow();
            // the block's own in-place sum and ReLU (InPlaceTest checks them against allocating
            // ones): here only the closing of intermediates differs
            return new NDList(InPlace.relu(InPlace.addInto(branch, identity)));
        }
        if (block instanceof SequentialBlock) {
            NDList current = x;
            int index = 0;
            for (Block child : block.getChildren().values()) {
                if (block instanceof ReleasingSequentialBlock releasing) {
                    current = releasing.prepareInput(index, current);
                }
                index++;
                current = plainForward(child, store, current);
            }
            return current;
        }
        return block.forward(store, x, true);
    }

    /** The child whose name ends with {@code name} (DJL prefixes a child's index), or null. */
    private static Block child(Block block, String name) {
        for (Pair<String, Block> child : block.getChildren()) {
            if (child.getKey().endsWith(name)) {
                return child.getValue();
            }
        }
        return null;
    }

    private record Pass(float[] output, List<float[]> gradients, int liveArraysAfterForward) {}

    private enum Mode { RELEASED, PLAIN }

    private static Pass run(Backbone backbone, NDManager manager, NDArray input, Mode mode) {
        try (NDManager step = manager.newSubManager()) {
            ParameterStore store = new ParameterStore(step, false);
            NDArray images = input.duplicate();
            images.attach(step);
            int live;
            float[] output;
            try (GradientCollector collector = step.getEngine().newGradientCollector()) {
                NDArray out = mode == Mode.RELEASED
                        ? backbone.block().forward(store, new NDList(images), true).singletonOrThrow()
                        : plainForward(backbone.block(), store, new NDList(images)).singletonOrThrow();
                live = step.getManagedArrays().size();
                output = out.toFloatArray();
                // a loss that weighs every output differently, so every gradient is distinct
                NDArray weights = step.arange(0f, (float) out.size()).reshape(out.getShape())
                        .div((float) out.size());
                collector.backward(out.mul(weights).sum());
            }
            List<float[]> gradients = new ArrayList<>();
            for (Pair<String, Parameter> p : backbone.block().getParameters()) {
                if (p.getValue().requiresGradient()) {
                    NDArray weight = p.getValue().getArray();
                    NDArray gradient = weight.getGradient();
                    gradients.add(gradient.toFloatArray());
                    gradient.subi(gradient); // zero for the next pass
                    gradient.close();
                }
            }
            return new Pass(output, gradients, live);
        }
    }

    private static void assertSameValuesAndGradients(Backbone backbone) {
        try (NDManager manager = NDManager.newBaseManager()) {
            TorchRuntime.setSeed(7);
            backbone.block().initialize(manager, DataType.FLOAT32, backbone.batchShape(4));
            for (Pair<String, Parameter> p : backbone.block().getParameters()) {
                if (p.getValue().requiresGradient()) {
                    p.getValue().getArray().setRequiresGradient(true);
                }
            }
            NDArray input = manager.randomNormal(backbone.batchShape(4));
            Pass reference = run(backbone, manager, input, Mode.PLAIN);
            Pass released = run(backbone, manager, input, Mode.RELEASED);
            assertThat(released.output()).as(backbone.name() + " output")
                    .containsExactly(reference.output());
            assertThat(released.gradients()).hasSameSizeAs(reference.gradients()).isNotEmpty();
            for (int i = 0; i < reference.gradients().size(); i++) {
                assertThat(released.gradients().get(i)).as(backbone.name() + " gradient " + i)
                        .containsExactly(reference.gradients().get(i));
            }
            assertThat(reference.gradients().get(0)).as("a gradient that is not all zero")
                    .isNotEqualTo(new float[reference.gradients().get(0).length]);
            // that the channels-last values themselves are right: ConvolutionGradientTest
            assertThat(released.liveArraysAfterForward())
                    .as(backbone.name() + " arrays alive after the forward pass")
                    .isLessThan(reference.liveArraysAfterForward());
        }
    }

    @Test
    void residualNetworksGiveTheSameValuesAndGradientsWithFewerLiveArrays() {
        // two blocks per stage: identity and projection shortcuts both occur
        assertSameValuesAndGradients(Backbones.resNet("tiny", 3, 8, 8, new int[] {4, 8}, 2));
        assertSameValuesAndGradients(Backbones.smallResNet(1, 8, 8));
    }

    @Test
    void theMlpGivesTheSameValuesAndGradientsWithFewerLiveArrays() {
        assertSameValuesAndGradients(Backbones.mlp(3, 4, 4));
    }

    @Test
    void projectionHeadReleasesToo() {
        SequentialBlock head = ProjectionHead.simclr(6, 3);
        assertThat(head).isInstanceOf(ReleasingSequentialBlock.class);
        assertSameValuesAndGradients(new Backbone("head", new SequentialBlock()
                .add(ai.djl.nn.Blocks.batchFlattenBlock()).add(head), 3,
                new ai.djl.ndarray.types.Shape(1, 2, 3)));
    }
}
