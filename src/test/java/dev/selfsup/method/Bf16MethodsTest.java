package dev.selfsup.method;

import static dev.selfsup.testing.Asserts.cosine;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import dev.selfsup.augment.PatchMask;
import dev.selfsup.nn.Bf16Autocast;
import dev.selfsup.train.TorchRuntime;
import dev.selfsup.util.Seeds;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * bf16 reaches every backbone call of the methods whose backbones run outside the model's
 * forward pass (MAE's encoder on the visible patches, iBOT's student on its masked tokens) and
 * the momentum targets (BYOL, DINO, iBOT): from the same weights and batch, the bf16 loss and
 * target outputs differ from float32's, as they would not if autocast had missed the call, yet
 * stay close to them, and the first backbone weight's gradient is float32 and points the same way.
 */
class Bf16MethodsTest {
    private static final int BATCH = 4;

    /** A method's loss, first backbone weight gradient and, for momentum methods, target outputs. */
    private record Step(float loss, float[] gradient, float[] target) {}

    @ParameterizedTest
    @ValueSource(strings = {"mae", "ibot", "dino", "byol", "simclr"})
    void everyBackboneCallRunsInBf16WithFloat32Gradients(String name) {
        assumeTrue(Bf16Autocast.available(), "needs a CPU with bf16 instructions");
        Step single = step(name, false);
        Step mixed = step(name, true);
        assertThat(mixed.loss()).as(name + ": autocast reached the backbone")
                .isNotEqualTo(single.loss());
        assertThat((double) Math.abs(mixed.loss() - single.loss()))
                .as(name + " loss").isLessThan(0.05 * Math.abs(single.loss()) + 1e-3);
        assertThat(cosine(single.gradient(), mixed.gradient())).as(name + " gradient")
                .isGreaterThan(0.9);
        if (single.target() != null) {
            assertThat(mixed.target()).as(name + ": the target ran in bf16")
                    .isNotEqualTo(single.target());
            assertThat(cosine(single.target(), mixed.target())).as(name + " target")
                    .isGreaterThan(0.99);
        }
    }

    private static Step step(String name, boolean bf16) {
        try (NDManager manager = NDManager.newBaseManager()) {
            TorchRuntime.setSeed(5);
            String backbone = Methods.defaultBackbone(name).startsWith("vit-") ? "vit-mini" : "mlp";
            Method method = Methods.build(name, backbone, 3, 16, 16, (Double) null);
            int views = method.viewCount();
            Shape shape = new Shape((long) BATCH * views, 3, 16, 16);
            method.model().initialize(manager, shape.get(0));
            for (Pair<String, Parameter> p : method.model().getParameters()) {
                if (p.getValue().requiresGradient()) {
                    p.getValue().getArray().setRequiresGradient(true);
                }
            }
            method.afterInitialize();
            method.model().setBf16(bf16);
            NDArray images = manager.randomUniform(0, 1, shape);
            NDArray masks = null;
            PatchMask mask = method.patchMask().orElse(null);
            if (mask != null) {
                float[] drawn = mask.draw((int) shape.get(0), r -> Seeds.random(7, 0, r));
                masks = manager.create(drawn, new Shape(shape.get(0), mask.patches()));
            }
            ViewBatch batch = new ViewBatch(images, BATCH, views, null, 0, masks);
            ParameterStore store = new ParameterStore(manager, false);
            float[] target = method instanceof MomentumMethod momentum && mask == null
                    ? momentum.targetProject(store, batch, true).toFloatArray() : null;
            float loss;
            TorchRuntime.setSeed(6); // MAE draws its masks from libtorch's generator
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray value = method.loss(store, batch, true);
                assertThat(value.getDataType()).isEqualTo(DataType.FLOAT32);
                loss = value.getFloat();
                collector.backward(value);
            }
            for (Pair<String, Parameter> p : method.model().backbone().block().getParameters()) {
                NDArray weight = p.getValue().getArray();
                if (p.getValue().getType() == Parameter.Type.WEIGHT && weight.hasGradient()) {
                    assertThat(weight.getGradient().getDataType()).isEqualTo(DataType.FLOAT32);
                    return new Step(loss, weight.getGradient().toFloatArray(), target);
                }
            }
            throw new AssertionError(name + ": no backbone weight has a gradient");
        }
    }
}
