package dev.selfsup.loss;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.selfsup.testing.Asserts;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MaskedTokenLossTest {
    @Test
    void matchesAPlainJavaCrossEntropyAndCountsCorrectRows() {
        try (NDManager manager = NDManager.newBaseManager()) {
            Random random = new Random(2);
            int n = 7;
            int classes = 11;
            float[] logits = new float[n * classes];
            long[] targets = new long[n];
            for (int i = 0; i < logits.length; i++) {
                logits[i] = (float) (3 * random.nextGaussian());
            }
            for (int r = 0; r < n; r++) {
                targets[r] = random.nextInt(classes);
            }
            targets[0] = argMaxOf(logits, 0, classes); // at least one right
            double[] expected = new double[n];
            int expectedCorrect = 0;
            for (int r = 0; r < n; r++) {
                expected[r] = crossEntropy(logits, r, classes, (int) targets[r]);
                expectedCorrect += argMaxOf(logits, r, classes) == targets[r] ? 1 : 0;
            }
            NDArray x = manager.create(logits, new Shape(n, classes));
            NDArray t = manager.create(targets);

            double[] actual = new double[n];
            float[] rows = MaskedTokenLoss.perRow(x, t).toFloatArray();
            for (int r = 0; r < n; r++) {
                actual[r] = rows[r];
            }
            Asserts.assertAllClose(actual, expected, 1e-5, 1e-5);
            assertThat(MaskedTokenLoss.loss(x, t).getFloat())
                    .isCloseTo((float) java.util.Arrays.stream(expected).average().orElseThrow(),
                            within(1e-5f));
            assertThat(MaskedTokenLoss.correct(x, t)).isEqualTo(expectedCorrect).isPositive();
        }
    }

    @Test
    void closedForms() {
        try (NDManager manager = NDManager.newBaseManager()) {
            // uniform logits: ln(classes); a confident right answer: about 0
            NDArray uniform = manager.zeros(new Shape(4, 8));
            assertThat(MaskedTokenLoss.loss(uniform, manager.create(new long[] {0, 3, 5, 7})).getFloat())
                    .isCloseTo((float) Math.log(8), within(1e-6f));
            NDArray confident = manager.create(new float[] {50, 0, 0, 0, 50, 0}, new Shape(2, 3));
            assertThat(MaskedTokenLoss.loss(confident, manager.create(new long[] {0, 1})).getFloat())
                    .isCloseTo(0f, within(1e-6f));
            assertThatThrownBy(() -> MaskedTokenLoss.loss(manager.zeros(new Shape(3)),
                    manager.create(new long[] {0, 1, 2})))
                    .hasMessageContaining("logits must be (count, classes)");
        }
    }

    private static int argMaxOf(float[] logits, int row, int classes) {
        int best = 0;
        for (int c = 1; c < classes; c++) {
            if (logits[row * classes + c] > logits[row * classes + best]) {
                best = c;
            }
        }
        return best;
    }

    private static double crossEntropy(float[] logits, int row, int classes, int target) {
        double sum = 0;
        for (int c = 0; c < classes; c++) {
            sum += Math.exp(logits[row * classes + c]);
        }
        return Math.log(sum) - logits[row * classes + target];
    }
}
