package dev.selfsup.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LinearProbeTest {
    @Test
    void separatesLinearlySeparableClassesButNotNoise() {
        Random random = new Random(2);
        int dim = 10;
        int classes = 3;
        float[][] directions = new float[classes][dim];
        for (float[] d : directions) {
            for (int j = 0; j < dim; j++) {
                d[j] = (float) random.nextGaussian();
            }
        }
        int n = 1500;
        int[] labels = random.ints(n, 0, classes).toArray();
        float[] x = new float[n * dim];
        float[] noise = new float[n * dim];
        for (int r = 0; r < n; r++) {
            for (int j = 0; j < dim; j++) {
                x[r * dim + j] = 2 * directions[labels[r]][j] + (float) random.nextGaussian() * 0.5f;
                noise[r * dim + j] = (float) random.nextGaussian();
            }
        }
        FeatureMatrix all = new FeatureMatrix(x, n, dim);
        FeatureMatrix train = new FeatureMatrix(java.util.Arrays.copyOf(x, 1000 * dim), 1000, dim);
        FeatureMatrix test = new FeatureMatrix(java.util.Arrays.copyOfRange(x, 1000 * dim, n * dim), 500, dim);
        int[] trainLabels = java.util.Arrays.copyOf(labels, 1000);
        int[] testLabels = java.util.Arrays.copyOfRange(labels, 1000, n);
        try (NDManager manager = NDManager.newBaseManager()) {
            LinearProbe probe = new LinearProbe(20, 128, 1e-2, 1e-4, 0);
            assertThat(probe.accuracy(train, trainLabels, test, testLabels, classes, manager)).isGreaterThan(0.95);
            FeatureMatrix noiseTrain = new FeatureMatrix(java.util.Arrays.copyOf(noise, 1000 * dim), 1000, dim);
            FeatureMatrix noiseTest = new FeatureMatrix(java.util.Arrays.copyOfRange(noise, 1000 * dim, n * dim), 500, dim);
            assertThat(probe.accuracy(noiseTrain, trainLabels, noiseTest, testLabels, classes, manager))
                    .isLessThan(0.45);
            // same seed, same result
            assertThat(probe.fitPredict(train, trainLabels, test, classes, manager))
                    .isEqualTo(probe.fitPredict(train, trainLabels, test, classes, manager));
            assertThat(manager.getManagedArrays()).isEmpty();
            assertThat(all.rows()).isEqualTo(n);
        }
    }

    @Test
    void rejectsBadSettings() {
        assertThatThrownBy(() -> new LinearProbe(0, 10, 0.1, 0, 0)).hasMessageContaining("found 0");
        assertThatThrownBy(() -> new LinearProbe(1, 10, -0.1, 0, 0)).hasMessageContaining("-0.1");
    }
}
