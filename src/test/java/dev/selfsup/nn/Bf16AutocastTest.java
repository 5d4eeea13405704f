package dev.selfsup.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import dev.selfsup.loss.NtXentLoss;
import dev.selfsup.testing.Asserts;
import dev.selfsup.train.TorchRuntime;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * bf16 autocast: libtorch's own switch, reached through JNA, turns matrix products into bfloat16
 * ones; a backbone run under it gives a loss and gradients close to float32's, the weights and
 * their gradients stay float32, and the state is switched off again afterwards.
 */
class Bf16AutocastTest {
    @Test
    void isAvailableExactlyWhereTheCpuHasBf16() {
        assertThat(Bf16Autocast.available()).isEqualTo(CpuFeatures.BF16);
        if (!Bf16Autocast.available()) {
            assertThat(Bf16Autocast.unavailableReason()).contains("bf16 instructions");
            assertThatThrownBy(Bf16Autocast::on).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("bf16 autocast is not available");
            PartsBlock model = new PartsBlock(Backbones.byName("mlp", 3, 8, 8));
            assertThatThrownBy(() -> model.setBf16(true))
                    .hasMessageContaining("precision bf16 cannot run here");
        }
    }

    @Test
    void productsRunInBfloat16OnlyWhileItIsOn() {
        assumeTrue(Bf16Autocast.available(), "needs a CPU with bf16 instructions");
        try (NDManager manager = NDManager.newBaseManager()) {
            TorchRuntime.setSeed(3);
            NDArray a = manager.randomNormal(new Shape(64, 64));
            NDArray b = manager.randomNormal(new Shape(64, 64));
            NDArray exact = a.toType(DataType.FLOAT64, false).matMul(b.toType(DataType.FLOAT64, false));
            NDArray low;
            try (Bf16Autocast autocast = Bf16Autocast.on()) {
                assertThat(Bf16Autocast.isOn()).isTrue();
                low = a.matMul(b);
            }
            assertThat(Bf16Autocast.isOn()).isFalse();
            // DJL 0.36 has no name for bfloat16: it reads as UNKNOWN, and converts back
            assertThat(low.getDataType()).isEqualTo(DataType.UNKNOWN);
            NDArray high = a.matMul(b);
            assertThat(high.getDataType()).isEqualTo(DataType.FLOAT32);
            double scale = exact.abs().max().getDouble();
            double lowError = low.toType(DataType.FLOAT64, false).sub(exact).abs().max().getDouble();
            double highError = high.toType(DataType.FLOAT64, false).sub(exact).abs().max().getDouble();
            // bfloat16 keeps 8 bits of mantissa (relative step 2^-8), float32 24
            assertThat(lowError / scale).isBetween(1e-5, 2e-2);
            assertThat(highError / scale).isLessThan(1e-5);
        }
    }

    @Test
    void aBackboneUnderAutocastGivesFloat32GradientsCloseToFloat32s() {
        assumeTrue(Bf16Autocast.available(), "needs a CPU with bf16 instructions");
        Map<String, float[]> single = gradients(false);
        Map<String, float[]> mixed = gradients(true);
        assertThat(mixed.keySet()).isEqualTo(single.keySet());
        for (Map.Entry<String, float[]> entry : single.entrySet()) {
            float[] g = entry.getValue();
            float[] h = mixed.get(entry.getKey());
            // measured: loss within 3e-4, gradient cosines 0.973 (first convolution) to 0.994 (last)
            assertThat(cosine(g, h)).as(entry.getKey()).isGreaterThan(0.95);
        }
    }

    /** The loss in [0] and every weight's gradient of one SimCLR step on small-resnet. */
    private static Map<String, float[]> gradients(boolean bf16) {
        Map<String, float[]> out = new LinkedHashMap<>();
        try (NDManager manager = NDManager.newBaseManager()) {
            TorchRuntime.setSeed(11);
            Backbone backbone = Backbones.byName("small-resnet", 3, 16, 16);
            PartsBlock model = new PartsBlock(backbone);
            model.initialize(manager, 16);
            model.setBf16(bf16);
            NDArray images = manager.randomUniform(0, 1, new Shape(16, 3, 16, 16));
            ParameterStore store = new ParameterStore(manager, false);
            for (Pair<String, Parameter> p : model.getParameters()) {
                if (p.getValue().requiresGradient()) {
                    p.getValue().getArray().setRequiresGradient(true);
                }
            }
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray features = model.forward(store, new NDList(images), true).singletonOrThrow();
                assertThat(features.getDataType()).isEqualTo(DataType.FLOAT32);
                NDArray loss = new NtXentLoss(0.5).compute(features.get("0:8"), features.get("8:16"));
                out.put("loss", new float[] {loss.getFloat()});
                collector.backward(loss);
            }
            for (Pair<String, Parameter> p : model.getParameters()) {
                NDArray weight = p.getValue().getArray();
                if (p.getValue().getType() == Parameter.Type.WEIGHT && weight.hasGradient()) {
                    assertThat(weight.getDataType()).isEqualTo(DataType.FLOAT32);
                    assertThat(weight.getGradient().getDataType()).isEqualTo(DataType.FLOAT32);
                    out.put(p.getKey(), weight.getGradient().toFloatArray());
                }
            }
        }
        return out;
    }

    /** Gradients: the cosine of their angle; the loss (one value): 1 - its relative error. */
    private static double cosine(float[] a, float[] b) {
        return a.length == 1 ? 1 - Math.abs(a[0] - b[0]) / Math.abs(a[0]) : Asserts.cosine(a, b);
    }
}
