package dev.selfsup.nn;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import dev.selfsup.train.TorchRuntime;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The in-place ReLU and residual sum give the values and gradients of the allocating ones, and
 * leave alone what libtorch would refuse to overwrite.
 */
class InPlaceTest {

    @Test
    void theLibTorchFunctionsAreFound() {
        assertThat(InPlace.available()).isTrue();
    }

    @Test
    void reluOverwritesAnArrayAutogradRecorded() {
        try (NDManager manager = NDManager.newBaseManager()) {
            float[] values = {-2f, -0f, 0.5f, 3f, -1e-30f, Float.NaN};
            NDArray leaf = manager.create(values);
            leaf.setRequiresGradient(true);
            float[] expected = Activation.relu(manager.create(values)).toFloatArray();
            try (GradientCollector collector = manager.getEngine().newGradientCollector()) {
                NDArray x = leaf.mul(1f);
                NDArray out = InPlace.relu(x);
                assertThat(out).isSameAs(x);
                assertThat(x.toFloatArray()).containsExactly(expected);
                collector.backward(out.sum());
            }
            assertThat(expected).startsWith(0f).contains(0.5f, 3f);
            assertThat(leaf.getGradient().toFloatArray()).startsWith(0f, 0f, 1f, 1f, 0f);
        }
    }

    @Test
    void anArrayMadeWithGradientsOffIsLeftAlone() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray x = manager.create(new float[] {-2f, 3f});
            NDArray out = InPlace.relu(x);
            assertThat(out).isNotSameAs(x);
            assertThat(out.toFloatArray()).containsExactly(0f, 3f);
            assertThat(x.toFloatArray()).containsExactly(-2f, 3f);
        }
    }

    @Test
    void aLeafThatRequiresAGradientIsNotOverwritten() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray leaf = manager.create(new float[] {-1f, 2f});
            leaf.setRequiresGradient(true);
            try (GradientCollector collector = manager.getEngine().newGradientCollector()) {
                assertThat(InPlace.canOverwrite(leaf)).isFalse();
                NDArray out = InPlace.relu(leaf);
                assertThat(out).isNotSameAs(leaf);
                assertThat(leaf.toFloatArray()).containsExactly(-1f, 2f);
                NDArray sum = InPlace.addInto(leaf, out);
                assertThat(sum).isNotSameAs(leaf);
                collector.backward(sum.sum());
            }
            // d/dx (x + relu(x)) = 1 + [x > 0]
            assertThat(leaf.getGradient().toFloatArray()).containsExactly(1f, 2f);
        }
    }

    @Test
    void aViewThatRequiresAGradientIsNotOverwritten() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray leaf = manager.create(new float[] {-1f, 2f, -3f, 4f});
            leaf.setRequiresGradient(true);
            try (GradientCollector collector = manager.getEngine().newGradientCollector()) {
                NDArray fresh = leaf.mul(1f);
                assertThat(InPlace.canOverwrite(fresh)).isTrue();
                NDArray ofLeaf = leaf.reshape(2, 2);
                NDArray ofFresh = fresh.reshape(2, 2);
                assertThat(InPlace.canOverwrite(ofLeaf)).isFalse();
                assertThat(InPlace.canOverwrite(ofFresh)).isFalse();
                // DJL's own batch norm returns a view (of a transpose), ChannelBatchNorm does not
                NDArray images = fresh.reshape(1, 4, 1, 1);
                NDArray djl = images.getNDArrayInternal().batchNorm(images,
                        manager.zeros(new Shape(4)), manager.ones(new Shape(4)),
                        manager.ones(new Shape(4)), manager.zeros(new Shape(4)), 1, 0.9f, 1e-5f,
                        false).singletonOrThrow();
                assertThat(InPlace.canOverwrite(djl)).isFalse();
                NDArray out = InPlace.relu(ofLeaf);
                assertThat(out).isNotSameAs(ofLeaf);
                collector.backward(out.sum());
            }
            assertThat(leaf.toFloatArray()).containsExactly(-1f, 2f, -3f, 4f);
            assertThat(leaf.getGradient().toFloatArray()).containsExactly(0f, 1f, 0f, 1f);
        }
    }

    @Test
    void aSumOfDifferentTypesOrShapesAllocates() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray leaf = manager.create(new float[] {1f, 2f});
            leaf.setRequiresGradient(true);
            try (GradientCollector collector = manager.getEngine().newGradientCollector()) {
                NDArray a = leaf.mul(1f);
                assertThat(InPlace.addInto(a, manager.create(new double[] {1, 1})))
                        .isNotSameAs(a);
                assertThat(InPlace.addInto(a, manager.create(new float[] {1f}))).isNotSameAs(a);
                assertThat(a.toFloatArray()).containsExactly(1f, 2f);
                assertThat(InPlace.addInto(a, manager.create(new float[] {1f, 1f}))).isSameAs(a);
                assertThat(a.toFloatArray()).containsExactly(2f, 3f);
            }
        }
    }

    /**
     * conv - batch norm - ReLU - conv - batch norm, plus a shortcut, then ReLU: the residual
     * block's pattern, computed with the in-place operations and with allocating ones, must give
     * bit-identical outputs and weight gradients (batch norm saved its input, not its output, so
     * overwriting the output cannot change its backward pass).
     */
    @Test
    void aResidualPatternHasTheSameGradientsInPlace() {
        List<float[]> inPlace = residualPattern(true);
        List<float[]> allocating = residualPattern(false);
        assertThat(inPlace).hasSameSizeAs(allocating).hasSizeGreaterThan(4);
        for (int i = 0; i < allocating.size(); i++) {
            assertThat(inPlace.get(i)).as("array " + i).containsExactly(allocating.get(i));
        }
        assertThat(allocating.get(1)).as("a gradient that is not all zero")
                .isNotEqualTo(new float[allocating.get(1).length]);
    }

    /** The output, the input's gradient, then every parameter's gradient. */
    private static List<float[]> residualPattern(boolean inPlace) {
        try (NDManager manager = NDManager.newBaseManager()) {
            TorchRuntime.setSeed(3);
            Block first = Layers.conv3x3(6, 1);
            Block norm1 = new ChannelBatchNorm();
            Block second = Layers.conv3x3(6, 1);
            Block norm2 = new ChannelBatchNorm();
            Shape shape = new Shape(4, 6, 5, 5);
            List<Block> blocks = List.of(first, norm1, second, norm2);
            for (Block block : blocks) {
                block.initialize(manager, DataType.FLOAT32, shape);
                for (Pair<String, Parameter> p : block.getParameters()) {
                    if (p.getValue().requiresGradient()) {
                        p.getValue().getArray().setRequiresGradient(true);
                    }
                }
            }
            NDArray input = manager.randomNormal(shape);
            input.setRequiresGradient(true);
            List<float[]> result = new ArrayList<>();
            try (GradientCollector collector = manager.getEngine().newGradientCollector()) {
                ParameterStore store = new ParameterStore(manager, false);
                NDArray x = input.mul(1f); // a non-leaf in the graph, as a block's input is
                NDArray a = norm1.forward(store, first.forward(store, new NDList(x), true), true)
                        .singletonOrThrow();
                a = inPlace ? InPlace.relu(a) : Activation.relu(a);
                NDArray b = norm2.forward(store, second.forward(store, new NDList(a), true), true)
                        .singletonOrThrow();
                NDArray out = inPlace ? InPlace.relu(InPlace.addInto(b, x))
                        : Activation.relu(b.add(x));
                if (inPlace) {
                    assertThat(out).as("the batch norm's output, overwritten").isSameAs(b);
                }
                result.add(out.toFloatArray());
                NDArray weights = manager.arange(0f, (float) out.size()).reshape(out.getShape());
                collector.backward(out.mul(weights).sum());
            }
            result.add(input.getGradient().toFloatArray());
            for (Block block : blocks) {
                for (Pair<String, Parameter> p : block.getParameters()) {
                    if (p.getValue().requiresGradient()) {
                        result.add(p.getValue().getArray().getGradient().toFloatArray());
                    }
                }
            }
            return result;
        }
    }
}
