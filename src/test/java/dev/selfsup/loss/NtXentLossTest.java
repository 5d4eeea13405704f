package dev.selfsup.loss;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.util.Random;
import org.junit.jupiter.api.Test;
import dev.selfsup.testing.ManagedTest;

class NtXentLossTest extends ManagedTest {
    /** The paper's equation, written as plain loops in double precision. */
    static double reference(float[][] a, float[][] b, double temperature) {
        int n = a.length;
        double[][] z = new double[2 * n][];
        for (int i = 0; i < n; i++) {
            z[i] = unit(a[i]);
            z[n + i] = unit(b[i]);
        }
        double total = 0;
        for (int i = 0; i < 2 * n; i++) {
            int positive = (i + n) % (2 * n);
            double denominator = 0;
            for (int k = 0; k < 2 * n; k++) {
                if (k != i) {
                    denominator += Math.exp(dot(z[i], z[k]) / temperature);
                }
            }
            total += -Math.log(Math.exp(dot(z[i], z[positive]) / temperature) / denominator);
        }
        return total / (2 * n);
    }

    private static double[] unit(float[] v) {
        double norm = 0;
        for (float x : v) {
            norm += x * x;
        }
        norm = Math.sqrt(norm);
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i] / norm;
        }
        return out;
    }

    private static double dot(double[] x, double[] y) {
        double s = 0;
        for (int i = 0; i < x.length; i++) {
            s += x[i] * y[i];
        }
        return s;
    }

    private static float[][] random(Random random, int n, int dim) {
        float[][] out = new float[n][dim];
        for (float[] row : out) {
            for (int j = 0; j < dim; j++) {
                row[j] = (float) random.nextGaussian();
            }
        }
        return out;
    }

    private NDArray array(float[][] rows) {
        float[] flat = new float[rows.length * rows[0].length];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(rows[i], 0, flat, i * rows[0].length, rows[0].length);
        }
        return manager.create(flat, new Shape(rows.length, rows[0].length));
    }

    @Test
    void matchesThePlainJavaReferenceOverSizesAndTemperatures() {
        Random random = new Random(7);
        for (int n : new int[] {2, 3, 8, 33}) {
            for (int dim : new int[] {1, 4, 128}) {
                for (double t : new double[] {0.07, 0.2, 0.5, 1.0}) {
                    float[][] a = random(random, n, dim);
                    float[][] b = random(random, n, dim);
                    double actual = new NtXentLoss(t).compute(array(a), array(b)).getFloat();
                    assertThat(actual).as("n=%d dim=%d t=%s", n, dim, t)
                            .isCloseTo(reference(a, b, t), within(2e-4 * Math.max(1, 1 / t)));
                }
            }
        }
    }

    @Test
    void identicalEmbeddingsGiveLogOfTwoNMinusOne() {
        for (int n : new int[] {2, 5, 64}) {
            float[][] same = new float[n][3];
            for (float[] row : same) {
                row[0] = 1;
                row[1] = 2;
                row[2] = -1;
            }
            double loss = new NtXentLoss(0.3).compute(array(same), array(same)).getFloat();
            assertThat(loss).isCloseTo(Math.log(2 * n - 1), within(1e-5));
        }
    }

    @Test
    void isSymmetricInViewOrder() {
        Random random = new Random(3);
        float[][] a = random(random, 16, 10);
        float[][] b = random(random, 16, 10);
        NtXentLoss loss = new NtXentLoss(0.5);
        assertThat(loss.compute(array(a), array(b)).getFloat())
                .isCloseTo(loss.compute(array(b), array(a)).getFloat(), within(1e-6f));
    }

    @Test
    void perfectlySeparatedOrthogonalPairsApproachZeroAtLowTemperature() {
        int n = 4;
        float[][] a = new float[n][n];
        for (int i = 0; i < n; i++) {
            a[i][i] = 1;
        }
        double loss = new NtXentLoss(0.05).compute(array(a), array(a)).getFloat();
        // each anchor: positive cos 1, the 2n-2 others cos 0 -> -log(e^20 / (e^20 + 6))
        assertThat(loss).isCloseTo(Math.log1p(6 * Math.exp(-20)), within(1e-6));
    }

    @Test
    void gradientFlowsToBothViews() {
        NDArray a = manager.randomNormal(new Shape(6, 5));
        NDArray b = manager.randomNormal(new Shape(6, 5));
        a.setRequiresGradient(true);
        b.setRequiresGradient(true);
        try (var collector = manager.getEngine().newGradientCollector()) {
            collector.backward(new NtXentLoss(0.5).compute(a, b));
        }
        assertThat(a.getGradient().abs().sum().getFloat()).isGreaterThan(0f);
        assertThat(b.getGradient().abs().sum().getFloat()).isGreaterThan(0f);
    }

    @Test
    void rejectsBadTemperatureAndShapes() {
        assertThatThrownBy(() -> new NtXentLoss(0)).hasMessageContaining("found 0.0");
        assertThatThrownBy(() -> new NtXentLoss(-0.1)).hasMessageContaining("found -0.1");
        assertThatThrownBy(() -> new NtXentLoss(Double.NaN)).hasMessageContaining("NaN");
        NtXentLoss loss = new NtXentLoss(0.5);
        assertThatThrownBy(() -> loss.compute(manager.zeros(new Shape(4, 3)), manager.zeros(new Shape(4, 2))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("(4, 2)");
        assertThatThrownBy(() -> loss.compute(manager.ones(new Shape(1, 3)), manager.ones(new Shape(1, 3))))
                .hasMessageContaining("at least 2");
    }

    /** MoCo's InfoNCE (eq. 1) as plain loops: positive k_i, negatives every row of the bank. */
    static double referenceWithNegatives(float[][] q, float[][] k, float[][] negatives, double t) {
        double total = 0;
        for (int i = 0; i < q.length; i++) {
            double[] query = unit(q[i]);
            double positive = Math.exp(dot(query, unit(k[i])) / t);
            double denominator = positive;
            for (float[] negative : negatives) {
                denominator += Math.exp(dot(query, unit(negative)) / t);
            }
            total += -Math.log(positive / denominator);
        }
        return total / q.length;
    }

    @Test
    void againstNegativesMatchesThePlainJavaReference() {
        Random random = new Random(11);
        for (int n : new int[] {1, 4, 16}) {
            for (int count : new int[] {1, 7, 300}) {
                for (double t : new double[] {0.07, 0.2, 1.0}) {
                    float[][] q = random(random, n, 16);
                    float[][] k = random(random, n, 16);
                    float[][] negatives = random(random, count, 16);
                    double actual = new NtXentLoss(t).compute(array(q), array(k), array(negatives))
                            .getFloat();
                    assertThat(actual).as("n=%d count=%d t=%s", n, count, t).isCloseTo(
                            referenceWithNegatives(q, k, negatives, t),
                            within(2e-4 * Math.max(1, 1 / t)));
                }
            }
        }
    }

    @Test
    void againstNegativesClosedForms() {
        Random random = new Random(12);
        float[][] same = new float[3][];
        float[] v = random(random, 1, 8)[0];
        java.util.Arrays.fill(same, v);
        float[][] bank = new float[10][];
        java.util.Arrays.fill(bank, v);
        // every similarity is 1: the positive is one of 11 equal logits
        assertThat(new NtXentLoss(0.2).compute(array(same), array(same), array(bank)).getFloat())
                .isCloseTo((float) Math.log(11), within(1e-5f));
        // negatives orthogonal to matching query/key pairs: -log(e^(1/t) / (e^(1/t) + 10))
        float[][] q = {{1, 0, 0}, {1, 0, 0}};
        float[][] negatives = new float[10][];
        java.util.Arrays.fill(negatives, new float[] {0, 1, 0});
        double t = 0.5;
        double expected = -Math.log(Math.exp(1 / t) / (Math.exp(1 / t) + 10));
        assertThat(new NtXentLoss(t).compute(array(q), array(q), array(negatives)).getFloat())
                .isCloseTo((float) expected, within(1e-5f));
    }

    @Test
    void againstNegativesGradientReachesQueriesOnly() {
        NDArray q = manager.randomNormal(new Shape(4, 8));
        NDArray k = manager.randomNormal(new Shape(4, 8));
        NDArray negatives = manager.randomNormal(new Shape(20, 8));
        q.setRequiresGradient(true);
        try (ai.djl.training.GradientCollector collector =
                manager.getEngine().newGradientCollector()) {
            collector.backward(new NtXentLoss(0.2).compute(q, k.stopGradient(), negatives));
        }
        assertThat(q.getGradient().abs().sum().getFloat()).isGreaterThan(0f);
    }

    @Test
    void againstNegativesRejectsBadShapes() {
        NtXentLoss loss = new NtXentLoss(0.2);
        NDArray q = manager.ones(new Shape(4, 8));
        assertThatThrownBy(() -> loss.compute(q, manager.ones(new Shape(3, 8)), manager.ones(new Shape(5, 8))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("(4, 8)");
        assertThatThrownBy(() -> loss.compute(q, q, manager.ones(new Shape(5, 7))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("negatives must be");
    }

    /** NNCLR's eq. 2 as plain loops: anchor i against every positive row, row i the right one. */
    static double referenceCrossView(float[][] a, float[][] b, double t) {
        double total = 0;
        for (int i = 0; i < a.length; i++) {
            double[] anchor = unit(a[i]);
            double denominator = 0;
            for (float[] row : b) {
                denominator += Math.exp(dot(anchor, unit(row)) / t);
            }
            total += -Math.log(Math.exp(dot(anchor, unit(b[i])) / t) / denominator);
        }
        return total / a.length;
    }

    @Test
    void crossViewMatchesThePlainJavaReferenceAndItsClosedForms() {
        Random random = new Random(13);
        for (int n : new int[] {2, 5, 40}) {
            for (double t : new double[] {0.1, 0.5, 1.0}) {
                float[][] a = random(random, n, 16);
                float[][] b = random(random, n, 16);
                assertThat((double) new NtXentLoss(t).crossView(array(a), array(b)).getFloat())
                        .as("n=%d t=%s", n, t)
                        .isCloseTo(referenceCrossView(a, b, t), within(2e-4 * Math.max(1, 1 / t)));
            }
        }
        float[][] same = new float[6][];
        java.util.Arrays.fill(same, random(random, 1, 8)[0]);
        assertThat(new NtXentLoss(0.1).crossView(array(same), array(same)).getFloat())
                .isCloseTo((float) Math.log(6), within(1e-5f));
        // one direction only: swapping the arguments changes the loss
        float[][] a = random(random, 4, 8);
        float[][] b = random(random, 4, 8);
        float[][] c = random(random, 4, 8);
        assertThat(new NtXentLoss(0.5).crossView(array(a), array(b)).getFloat())
                .isNotCloseTo(new NtXentLoss(0.5).crossView(array(a), array(c)).getFloat(),
                        within(1e-6f));
        assertThatThrownBy(() -> new NtXentLoss(0.1).crossView(array(a), array(random(random, 3, 8))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("(4, 8)");
        assertThatThrownBy(() -> new NtXentLoss(0.1).crossView(array(random(random, 1, 8)),
                array(random(random, 1, 8)))).hasMessageContaining("at least 2, found 1");
    }
}
