package dev.selfsup.loss;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.util.Random;
import org.junit.jupiter.api.Test;
import dev.selfsup.testing.ManagedTest;

/** Barlow Twins, VICReg and SimSiam's negative cosine against plain-Java loops of the papers. */
class RedundancyLossesTest extends ManagedTest {
    private static double[][] random(Random random, int n, int d) {
        double[][] out = new double[n][d];
        for (double[] row : out) {
            for (int j = 0; j < d; j++) {
                row[j] = random.nextGaussian() * (1 + j % 3);
            }
        }
        return out;
    }

    private NDArray array(double[][] rows) {
        int n = rows.length;
        int d = rows[0].length;
        float[] flat = new float[n * d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                flat[i * d + j] = (float) rows[i][j];
            }
        }
        return manager.create(flat, new Shape(n, d));
    }

    private static double[] mean(double[][] z) {
        double[] m = new double[z[0].length];
        for (double[] row : z) {
            for (int j = 0; j < m.length; j++) {
                m[j] += row[j] / z.length;
            }
        }
        return m;
    }

    static double barlowReference(double[][] a, double[][] b, double lambda) {
        int n = a.length;
        int d = a[0].length;
        double[] ma = mean(a);
        double[] mb = mean(b);
        double[] sa = new double[d];
        double[] sb = new double[d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                sa[j] += Math.pow(a[i][j] - ma[j], 2) / n;
                sb[j] += Math.pow(b[i][j] - mb[j], 2) / n;
            }
        }
        double loss = 0;
        for (int p = 0; p < d; p++) {
            for (int q = 0; q < d; q++) {
                double c = 0;
                for (int i = 0; i < n; i++) {
                    c += (a[i][p] - ma[p]) / Math.sqrt(sa[p] + 1e-5) * (b[i][q] - mb[q]) / Math.sqrt(sb[q] + 1e-5);
                }
                c /= n;
                loss += p == q ? (1 - c) * (1 - c) : lambda * c * c;
            }
        }
        return loss;
    }

    static double vicregReference(double[][] a, double[][] b) {
        int n = a.length;
        int d = a[0].length;
        double invariance = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                invariance += Math.pow(a[i][j] - b[i][j], 2) / (n * d);
            }
        }
        double variance = 0;
        double covariance = 0;
        for (double[][] z : new double[][][] {a, b}) {
            double[] m = mean(z);
            for (int p = 0; p < d; p++) {
                for (int q = 0; q < d; q++) {
                    double c = 0;
                    for (int i = 0; i < n; i++) {
                        c += (z[i][p] - m[p]) * (z[i][q] - m[q]) / (n - 1);
                    }
                    if (p == q) {
                        variance += Math.max(0, 1 - Math.sqrt(c + 1e-4)) / d / 2;
                    } else {
                        covariance += c * c / d;
                    }
                }
            }
        }
        return 25 * invariance + 25 * variance + covariance;
    }

    @Test
    void barlowTwinsMatchesThePaperAndItsClosedForm() {
        Random random = new Random(3);
        for (int[] size : new int[][] {{8, 3}, {32, 16}}) {
            double[][] a = random(random, size[0], size[1]);
            double[][] b = random(random, size[0], size[1]);
            double expected = barlowReference(a, b, 5e-3);
            assertThat((double) new BarlowTwinsLoss(5e-3).compute(array(a), array(b)).getFloat())
                    .isCloseTo(expected, within(1e-3 * Math.max(1, expected)));
        }
        // identical views with uncorrelated columns: C = I up to sampling, so the loss is tiny
        double[][] a = {{1, 1}, {1, -1}, {-1, 1}, {-1, -1}};
        assertThat(new BarlowTwinsLoss(5e-3).compute(array(a), array(a)).getFloat())
                .isCloseTo(0f, within(1e-4f));
        assertThatThrownBy(() -> new BarlowTwinsLoss(-1)).hasMessageContaining("found -1.0");
    }

    @Test
    void vicregMatchesThePaperAndItsClosedForm() {
        Random random = new Random(4);
        double[][] a = random(random, 16, 6);
        double[][] b = random(random, 16, 6);
        assertThat((double) new VicRegLoss().compute(array(a), array(b)).getFloat())
                .isCloseTo(vicregReference(a, b), within(1e-3 * vicregReference(a, b)));
        // a collapsed batch (all rows equal) pays the full variance hinge: 25 * (1 - sqrt(1e-4))
        double[][] same = new double[8][4];
        assertThat(new VicRegLoss().compute(array(same), array(same)).getFloat())
                .isCloseTo((float) (25 * (1 - 0.01)), within(1e-4f));
        assertThatThrownBy(() -> new VicRegLoss(-1, 1, 1)).hasMessageContaining("-1.0");
    }

    @Test
    void negativeCosineIsMinusOneForAlignedPairsAndStopsTargetGradients() {
        NegativeCosineLoss loss = new NegativeCosineLoss();
        NDArray p = manager.randomNormal(new Shape(5, 4));
        assertThat(loss.distance(p, p.mul(3f)).getFloat()).isCloseTo(-1f, within(1e-6f));
        assertThat(loss.distance(p, p.neg()).getFloat()).isCloseTo(1f, within(1e-6f));
        NDArray p1 = manager.randomNormal(new Shape(6, 3));
        NDArray p2 = manager.randomNormal(new Shape(6, 3));
        NDArray z1 = manager.randomNormal(new Shape(6, 3));
        NDArray z2 = manager.randomNormal(new Shape(6, 3));
        for (NDArray x : new NDArray[] {p1, p2, z1, z2}) {
            x.setRequiresGradient(true);
        }
        try (var collector = manager.getEngine().newGradientCollector()) {
            collector.backward(loss.compute(p1, p2, z1, z2));
        }
        assertThat(p1.getGradient().abs().sum().getFloat()).isGreaterThan(0f);
        assertThat(p2.getGradient().abs().sum().getFloat()).isGreaterThan(0f);
        assertThat(z1.getGradient().abs().sum().getFloat()).isZero();
        assertThat(z2.getGradient().abs().sum().getFloat()).isZero();
    }
}
