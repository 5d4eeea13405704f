package dev.selfsup.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PcaTest {
    @Test
    void findsTheAxesOfAKnownGaussian() {
        // x = 3 a u + 1 b v + 0.1 noise, u and v orthonormal in 4-D
        double[] u = {0.5, 0.5, 0.5, 0.5};
        double[] v = {0.5, -0.5, 0.5, -0.5};
        SplittableRandom random = new SplittableRandom(3);
        int n = 20_000;
        float[] values = new float[n * 4];
        for (int r = 0; r < n; r++) {
            double a = random.nextGaussian();
            double b = random.nextGaussian();
            for (int d = 0; d < 4; d++) {
                values[r * 4 + d] = (float) (5 + 3 * a * u[d] + b * v[d] + 0.1 * random.nextGaussian());
            }
        }
        Pca pca = Pca.fit(new FeatureMatrix(values, n, 4), 2);
        // variances 9 + 0.01 and 1 + 0.01 of a total 9 + 1 + 4 * 0.01
        assertThat(pca.variances()[0]).isCloseTo(9.01, within(0.25));
        assertThat(pca.variances()[1]).isCloseTo(1.01, within(0.05));
        assertThat(pca.explained(0)).isCloseTo(9.01 / 10.04, within(0.01));
        assertThat(Math.abs(dot(pca.components()[0], u))).isCloseTo(1, within(1e-3));
        assertThat(Math.abs(dot(pca.components()[1], v))).isCloseTo(1, within(1e-3));
        assertThat(dot(pca.components()[0], pca.components()[1])).isCloseTo(0, within(1e-6));
        // projections are centred, with the components' variances
        double[] xy = pca.project(new FeatureMatrix(values, n, 4));
        double mean = 0;
        double square = 0;
        for (int r = 0; r < n; r++) {
            mean += xy[2 * r] / n;
            square += xy[2 * r] * xy[2 * r] / (n - 1);
        }
        assertThat(mean).isCloseTo(0, within(1e-3));
        assertThat(square).isCloseTo(pca.variances()[0], within(1e-3));
    }

    @Test
    void refusesTooFewRowsOrComponents() {
        FeatureMatrix one = new FeatureMatrix(new float[] {1, 2}, 1, 2);
        assertThatThrownBy(() -> Pca.fit(one, 1)).hasMessageContaining("found 1 rows");
        FeatureMatrix two = new FeatureMatrix(new float[] {1, 2, 3, 4}, 2, 2);
        assertThatThrownBy(() -> Pca.fit(two, 3)).hasMessageContaining("count 3");
    }

    private static double dot(double[] a, double[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += a[i] * b[i];
        }
        return sum;
    }
}
