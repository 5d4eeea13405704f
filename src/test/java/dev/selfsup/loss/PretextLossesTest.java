package dev.selfsup.loss;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.SplittableRandom;
import dev.selfsup.testing.RandomValues;
import org.junit.jupiter.api.Test;
import dev.selfsup.testing.ManagedTest;

class PretextLossesTest extends ManagedTest {
    /** sum over masked elements of (p - t)^2 / their count, the mask (batch, 1, plane) broadcast over channels. */
    private static double maskedMse(float[] p, float[] t, float[] mask, int batch, int channels,
            int plane, boolean perChannelMask) {
        double sum = 0;
        double count = 0;
        for (int n = 0; n < batch; n++) {
            for (int c = 0; c < channels; c++) {
                for (int i = 0; i < plane; i++) {
                    int index = (n * channels + c) * plane + i;
                    double m = perChannelMask ? mask[index] : mask[n * plane + i];
                    sum += m * (p[index] - t[index]) * (p[index] - t[index]);
                    count += m;
                }
            }
        }
        return count == 0 ? 0 : sum / count;
    }

    @Test
    void reconstructionLossMatchesPlainJava() {
        int batch = 3;
        int channels = 2;
        int side = 4;
        int plane = side * side;
        Shape shape = new Shape(batch, channels, side, side);
        float[] p = RandomValues.gaussian(batch * channels * plane, 1);
        float[] t = RandomValues.gaussian(batch * channels * plane, 2);
        float[] mask = new float[batch * plane];
        float[] ones = new float[batch * plane];
        float[] fullMask = new float[batch * channels * plane];
        SplittableRandom random = new SplittableRandom(3);
        for (int i = 0; i < mask.length; i++) {
            mask[i] = random.nextDouble() < 0.4 ? 1 : 0;
            ones[i] = 1;
        }
        for (int i = 0; i < fullMask.length; i++) {
            fullMask[i] = random.nextDouble() < 0.5 ? 1 : 0;
        }
        ReconstructionLoss loss = new ReconstructionLoss();
        NDArray prediction = manager.create(p, shape);
        NDArray target = manager.create(t, shape);
        double all = maskedMse(p, t, ones, batch, channels, plane, false);
        assertThat(loss.compute(prediction, target).getFloat()).isCloseTo((float) all, within(1e-5f));
        assertThat(loss.compute(prediction, target, manager.create(ones,
                new Shape(batch, 1, side, side))).getFloat()).isCloseTo((float) all, within(1e-5f));
        assertThat(loss.compute(prediction, target, manager.create(mask,
                new Shape(batch, 1, side, side))).getFloat())
                .isCloseTo((float) maskedMse(p, t, mask, batch, channels, plane, false), within(1e-5f));
        assertThat(loss.compute(prediction, target, manager.create(fullMask, shape)).getFloat())
                .isCloseTo((float) maskedMse(p, t, fullMask, batch, channels, plane, true),
                        within(1e-5f));
        // closed forms: a perfect reconstruction, an empty mask
        assertThat(loss.compute(target, target).getFloat()).isZero();
        assertThat(loss.compute(prediction, target, manager.zeros(new Shape(batch, 1, side, side)))
                .getFloat()).isZero();
        assertThatThrownBy(() -> loss.compute(prediction, target, manager.zeros(new Shape(batch, 1, side, 3))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("mask");
        assertThatThrownBy(() -> loss.compute(prediction, manager.zeros(new Shape(batch, 1, side, side))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("differ");
    }

    @Test
    void reconstructionGradientReachesOnlyMaskedPredictions() {
        NDArray prediction = manager.create(new float[] {1, 2, 3, 4}, new Shape(1, 1, 2, 2));
        NDArray target = manager.zeros(new Shape(1, 1, 2, 2));
        NDArray mask = manager.create(new float[] {1, 0, 0, 1}, new Shape(1, 1, 2, 2));
        prediction.setRequiresGradient(true);
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDArray value = new ReconstructionLoss().compute(prediction, target, mask);
            assertThat(value.getFloat()).isCloseTo((1 + 16) / 2f, within(1e-6f));
            collector.backward(value);
        }
        // d/dp of sum(m (p - t)^2) / 2 = m (p - t)
        assertThat(prediction.getGradient().toFloatArray()).containsExactly(1, 0, 0, 4);
    }

    @Test
    void crossEntropyMatchesPlainJavaAndLnKForUniformLogits() {
        int batch = 5;
        int classes = 4;
        float[] logits = RandomValues.gaussian(batch * classes, 9);
        long[] labels = {0, 3, 1, 2, 3};
        double expected = 0;
        for (int n = 0; n < batch; n++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int k = 0; k < classes; k++) {
                max = Math.max(max, logits[n * classes + k]);
            }
            double sum = 0;
            for (int k = 0; k < classes; k++) {
                sum += Math.exp(logits[n * classes + k] - max);
            }
            expected -= logits[n * classes + (int) labels[n]] - max - Math.log(sum);
        }
        expected /= batch;
        CrossEntropyLoss loss = new CrossEntropyLoss();
        assertThat(loss.compute(manager.create(logits, new Shape(batch, classes)),
                manager.create(labels)).getFloat()).isCloseTo((float) expected, within(1e-5f));
        assertThat(loss.compute(manager.zeros(new Shape(batch, classes)), manager.create(labels))
                .getFloat()).isCloseTo((float) Math.log(classes), within(1e-6f));
        assertThatThrownBy(() -> loss.compute(manager.zeros(new Shape(batch, classes)),
                manager.create(new long[] {0, 1})))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("(batch)");
    }
}
