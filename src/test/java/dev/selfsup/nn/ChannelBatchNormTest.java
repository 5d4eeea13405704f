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
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link ChannelBatchNorm} is DJL's batch norm without the views: same names, values, state. */
class ChannelBatchNormTest {

    @Test
    void parametersHaveDjlsNamesInASequentialBlock() {
        try (NDManager manager = NDManager.newBaseManager()) {
            SequentialBlock ours = new ReleasingSequentialBlock().add(new ChannelBatchNorm());
            SequentialBlock djl = new SequentialBlock().add(BatchNorm.builder().build());
            Shape shape = new Shape(2, 3, 4, 4);
            ours.initialize(manager, DataType.FLOAT32, shape);
            djl.initialize(manager, DataType.FLOAT32, shape);
            assertThat(ours.getParameters().keys()).containsExactlyElementsOf(
                    djl.getParameters().keys()).contains("01BatchNorm_gamma",
                    "01BatchNorm_runningVar");
            for (int i = 0; i < 4; i++) {
                Parameter a = ours.getParameters().get(i).getValue();
                Parameter b = djl.getParameters().get(i).getValue();
                assertThat(a.getType()).isEqualTo(b.getType());
                assertThat(a.requiresGradient()).isEqualTo(b.requiresGradient());
                assertThat(a.getArray().toFloatArray()).containsExactly(b.getArray().toFloatArray());
            }
        }
    }

    @Test
    void valuesGradientsAndRunningStatisticsMatchDjls() {
        for (Shape shape : List.of(new Shape(5, 3, 4, 2), new Shape(6, 7))) {
            List<float[]> ours = run(new ChannelBatchNorm(), shape);
            List<float[]> djl = run(BatchNorm.builder().build(), shape);
            assertThat(ours).hasSameSizeAs(djl);
            // DJL's transposes change the order of the sums in the weights' gradients: rounding
            for (int i = 0; i < djl.size(); i++) {
                assertAllClose(ours.get(i), djl.get(i), 1e-6, 1e-6);
            }
        }
    }

    @Test
    void aWrongChannelCountIsNamed() {
        try (NDManager manager = NDManager.newBaseManager()) {
            ChannelBatchNorm norm = new ChannelBatchNorm();
            norm.initialize(manager, DataType.FLOAT32, new Shape(2, 3, 4, 4));
            NDList input = new NDList(manager.ones(new Shape(2, 5, 4, 4)));
            assertThatThrownBy(() -> norm.forward(new ParameterStore(manager, false), input, true))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("3 channels").hasMessageContaining("(2, 5, 4, 4)");
        }
    }

    /**
     * Two training passes and one inference pass: the outputs, the input's and the parameters'
     * gradients, and the running statistics after training.
     */
    private static List<float[]> run(Block norm, Shape shape) {
        try (NDManager manager = NDManager.newBaseManager()) {
            manager.getEngine().setRandomSeed(11);
            norm.initialize(manager, DataType.FLOAT32, shape);
            for (Pair<String, Parameter> p : norm.getParameters()) {
                if (p.getValue().requiresGradient()) {
                    p.getValue().getArray().setRequiresGradient(true);
                }
            }
            ParameterStore store = new ParameterStore(manager, false);
            List<float[]> result = new ArrayList<>();
            for (int pass = 0; pass < 2; pass++) {
                NDArray x = manager.randomNormal(1f, 2f, shape, DataType.FLOAT32);
                x.setRequiresGradient(true);
                try (GradientCollector collector = manager.getEngine().newGradientCollector()) {
                    NDArray out = norm.forward(store, new NDList(x), true).singletonOrThrow();
                    result.add(out.toFloatArray());
                    NDArray weights = manager.arange(0f, (float) out.size()).reshape(shape);
                    collector.backward(out.mul(weights).sum());
                }
                result.add(x.getGradient().toFloatArray());
            }
            for (Pair<String, Parameter> p : norm.getParameters()) {
                NDArray array = p.getValue().getArray();
                result.add((p.getValue().requiresGradient() ? array.getGradient() : array)
                        .toFloatArray());
            }
            NDArray test = manager.randomNormal(shape);
            result.add(norm.forward(store, new NDList(test), false).singletonOrThrow()
                    .toFloatArray());
            return result;
        }
    }
}
