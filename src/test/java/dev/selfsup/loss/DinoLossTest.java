package dev.selfsup.loss;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.selfsup.testing.Autograd;
import dev.selfsup.testing.ManagedTest;
import dev.selfsup.testing.RandomValues;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DinoLossTest extends ManagedTest {
    /** Equation 1 of the paper, written out: teacher views t, student views s != t. */
    private static double reference(List<float[]> teacher, List<float[]> student, float[] center,
            int batch, int k, double teacherTemperature, double studentTemperature) {
        double total = 0;
        int pairs = 0;
        for (int t = 0; t < teacher.size(); t++) {
            for (int s = 0; s < student.size(); s++) {
                if (s == t) {
                    continue;
                }
                double sum = 0;
                for (int b = 0; b < batch; b++) {
                    double[] p = softmax(teacher.get(t), b, k, center, teacherTemperature);
                    double[] q = softmax(student.get(s), b, k, new float[k], studentTemperature);
                    for (int i = 0; i < k; i++) {
                        sum -= p[i] * Math.log(q[i]);
                    }
                }
                total += sum / batch;
                pairs++;
            }
        }
        return total / pairs;
    }

    private static double[] softmax(float[] values, int row, int k, float[] center,
            double temperature) {
        double[] out = new double[k];
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < k; i++) {
            out[i] = (values[row * k + i] - center[i]) / temperature;
            max = Math.max(max, out[i]);
        }
        double total = 0;
        for (int i = 0; i < k; i++) {
            out[i] = Math.exp(out[i] - max);
            total += out[i];
        }
        for (int i = 0; i < k; i++) {
            out[i] /= total;
        }
        return out;
    }

    @Test
    void matchesThePapersEquationOverEveryPairOfDifferentViews() {
        int batch = 3;
        int k = 7;
        List<float[]> teacher = new ArrayList<>();
        List<float[]> student = new ArrayList<>();
        for (int v = 0; v < 4; v++) {
            float[] values = RandomValues.gaussian(batch * k, 10 + v);
            student.add(values);
            if (v < 2) {
                teacher.add(RandomValues.gaussian(batch * k, 20 + v));
            }
        }
        float[] center = RandomValues.gaussian(k, 30);
        Shape shape = new Shape(batch, k);
        List<NDArray> t = teacher.stream().map(a -> manager.create(a, shape)).toList();
        List<NDArray> s = student.stream().map(a -> manager.create(a, shape)).toList();
        NDArray c = manager.create(center, new Shape(1, k));
        float loss = new DinoLoss(0.1).compute(t, s, c, 0.04).getFloat();
        assertThat((double) loss).isCloseTo(reference(teacher, student, center, batch, k, 0.04, 0.1),
                within(1e-4 * Math.abs(loss)));
        // two views only: the two cross pairs
        float two = new DinoLoss(0.1).compute(t, s.subList(0, 2), c, 0.04).getFloat();
        assertThat((double) two).isCloseTo(reference(teacher, student.subList(0, 2), center, batch,
                k, 0.04, 0.1), within(1e-4 * Math.abs(two)));
    }

    /**
     * iBOT's released loss: per image the mean over its hidden patches, then the mean over all
     * images, an unmasked image (iBOT masks half of them) counting 0.
     */
    @Test
    void maskedPatchTermAveragesTheHiddenPatchesOfEachImage() {
        int images = 3;
        int patches = 3;
        int k = 5;
        float[] teacher = RandomValues.gaussian(images * patches * k, 40);
        float[] student = RandomValues.gaussian(images * patches * k, 41);
        float[] center = RandomValues.gaussian(k, 42);
        float[] hidden = {1, 0, 1, 0, 0, 0, 0, 0, 1};
        double expected = 0;
        for (int i = 0; i < images; i++) {
            double sum = 0;
            double count = 0;
            for (int p = 0; p < patches; p++) {
                int row = i * patches + p;
                double[] t = softmax(teacher, row, k, center, 0.05);
                double[] q = softmax(student, row, k, new float[k], 0.1);
                double crossEntropy = 0;
                for (int j = 0; j < k; j++) {
                    crossEntropy -= t[j] * Math.log(q[j]);
                }
                sum += hidden[row] * crossEntropy;
                count += hidden[row];
            }
            expected += count == 0 ? 0 : sum / count / images;
        }
        Shape shape = new Shape(images, patches, k);
        float loss = new DinoLoss(0.1).maskedPatches(manager.create(teacher, shape),
                manager.create(student, shape), manager.create(hidden, new Shape(images, patches)),
                manager.create(center, new Shape(1, k)), 0.05).getFloat();
        assertThat((double) loss).isCloseTo(expected, within(1e-4 * expected));
    }

    @Test
    void aBatchWithNoHiddenPatchCostsNothingAndGivesZeroGradients() {
        Shape shape = new Shape(2, 4, 6);
        NDArray teacher = manager.create(RandomValues.gaussian(48, 50), shape);
        NDArray student = manager.create(RandomValues.gaussian(48, 51), shape);
        student.setRequiresGradient(true);
        NDArray none = manager.zeros(new Shape(2, 4));
        NDArray loss;
        try (ai.djl.training.GradientCollector collector =
                manager.getEngine().newGradientCollector()) {
            loss = new DinoLoss(0.1).maskedPatches(teacher, student, none,
                    manager.zeros(new Shape(1, 6)), 0.04);
            collector.backward(loss);
        }
        assertThat(loss.getFloat()).isZero();
        assertThat(student.getGradient().toFloatArray()).containsOnly(0f);
        assertThat(DinoLoss.maskedPatchEntropy(teacher, none, manager.zeros(new Shape(1, 6)),
                0.04).getFloat()).isZero();
    }

    @Test
    void uniformOutputsCostLogK() {
        int k = 16;
        NDArray flat = manager.zeros(new Shape(4, k));
        float loss = new DinoLoss(0.1).compute(List.of(flat, flat), List.of(flat, flat),
                manager.zeros(new Shape(1, k)), 0.04).getFloat();
        assertThat((double) loss).isCloseTo(Math.log(k), within(1e-5));
    }

    @Test
    void noGradientReachesTheTeacher() {
        NDArray teacher = manager.create(RandomValues.gaussian(12, 1), new Shape(2, 6));
        NDArray student = manager.create(RandomValues.gaussian(12, 2), new Shape(2, 6));
        teacher.setRequiresGradient(true);
        student.setRequiresGradient(true);
        try (ai.djl.training.GradientCollector collector =
                manager.getEngine().newGradientCollector()) {
            NDArray loss = new DinoLoss(0.1).compute(List.of(teacher, teacher),
                    List.of(student, student), manager.zeros(new Shape(1, 6)), 0.04);
            collector.backward(loss);
        }
        assertThat(teacher.getGradient().abs().sum().getFloat()).isZero();
        assertThat(student.getGradient().abs().sum().getFloat()).isPositive();
    }

    @Test
    void refusesBadTemperaturesAndViewCounts() {
        assertThatThrownBy(() -> new DinoLoss(0)).hasMessageContaining("found 0.0");
        NDArray x = manager.zeros(new Shape(2, 3));
        assertThatThrownBy(() -> new DinoLoss(0.1).compute(List.of(x), List.of(x),
                manager.zeros(new Shape(1, 3)), 0.04)).hasMessageContaining("2 views in all");
        assertThatThrownBy(() -> DinoLoss.teacherProbabilities(x, x, -1))
                .hasMessageContaining("found -1.0");
    }

    /**
     * The student's temperature and the mean over view pairs are constants that autograd keeps
     * for backward: the gradient must not change when a garbage collection falls between forward
     * and backward (with DJL's {@code div(Number)} it read freed memory, see {@code nn.Scalars}).
     */
    @Test
    void gradientsSurviveAGarbageCollectionBetweenForwardAndBackward() throws Exception {
        int rows = 4;
        int k = 6;
        float[] teacherValues = RandomValues.gaussian(rows * k, 3);
        float[] studentValues = RandomValues.gaussian(2 * rows * k, 4);
        float[] hiddenValues = {1, 0, 1, 1, 0, 0, 1, 0};
        java.util.function.UnaryOperator<NDArray> classTokens = x -> {
            NDArray teacher = x.getManager().create(teacherValues, new Shape(rows, k));
            return new DinoLoss(0.1).compute(List.of(teacher, teacher),
                    List.of(x.get("0:4"), x.get("4:8")), x.getManager().zeros(new Shape(1, k)),
                    0.04);
        };
        java.util.function.UnaryOperator<NDArray> patches = x -> {
            NDArray teacher = x.getManager().create(teacherValues, new Shape(2, 2, k));
            NDArray hidden = x.getManager().create(hiddenValues, new Shape(2, 4)).get(":, 0:2");
            return new DinoLoss(0.1).maskedPatches(teacher, x.reshape(2, 4, k).get(":, 0:2, :"),
                    hidden, x.getManager().zeros(new Shape(1, k)), 0.04);
        };
        for (var loss : List.of(classTokens, patches)) {
            float[] expected = Autograd.gradient(studentValues, new Shape(2 * rows, k), loss, false);
            assertThat(expected).isNotEqualTo(new float[expected.length]);
            for (int trial = 0; trial < 3; trial++) {
                assertThat(Autograd.gradient(studentValues, new Shape(2 * rows, k), loss, true))
                        .containsExactly(expected);
            }
        }
    }
}
