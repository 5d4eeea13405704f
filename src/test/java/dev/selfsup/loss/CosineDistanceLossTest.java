package dev.selfsup.loss;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CosineDistanceLossTest {
    @Test
    void matchesPlainJavaAndClosedForms() {
        try (NDManager manager = NDManager.newBaseManager()) {
            Random random = new Random(1);
            int n = 9;
            int dim = 7;
            float[] a = new float[n * dim];
            float[] b = new float[n * dim];
            for (int i = 0; i < a.length; i++) {
                a[i] = (float) random.nextGaussian();
                b[i] = (float) random.nextGaussian();
            }
            double expected = 0;
            for (int r = 0; r < n; r++) {
                double dot = 0;
                double na = 0;
                double nb = 0;
                for (int j = 0; j < dim; j++) {
                    dot += a[r * dim + j] * b[r * dim + j];
                    na += a[r * dim + j] * a[r * dim + j];
                    nb += b[r * dim + j] * b[r * dim + j];
                }
                expected += 1 - dot / Math.sqrt(na * nb);
            }
            expected /= n;
            CosineDistanceLoss loss = new CosineDistanceLoss();
            Shape shape = new Shape(n, dim);
            assertThat(loss.compute(manager.create(a, shape), manager.create(b, shape)).getFloat())
                    .isCloseTo((float) expected, within(1e-5f));
            // identical -> 0, opposite -> 2
            assertThat(loss.compute(manager.create(a, shape), manager.create(a, shape)).getFloat())
                    .isCloseTo(0f, within(1e-6f));
            assertThat(loss.compute(manager.create(a, shape), manager.create(a, shape).neg()).getFloat())
                    .isCloseTo(2f, within(1e-6f));
            assertThatThrownBy(() -> loss.compute(manager.zeros(new Shape(3)), manager.zeros(new Shape(3))))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }
}
