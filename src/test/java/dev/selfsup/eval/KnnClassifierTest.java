package dev.selfsup.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;
import java.util.Random;
import org.junit.jupiter.api.Test;

class KnnClassifierTest {
    /** Brute force: sort every bank item by cosine similarity, weighted vote of the top k. */
    static int[] reference(FeatureMatrix bank, int[] labels, FeatureMatrix queries, int classes,
            int k, double t) {
        FeatureMatrix b = bank.l2Normalized();
        FeatureMatrix q = queries.l2Normalized();
        int[] out = new int[q.rows()];
        for (int r = 0; r < q.rows(); r++) {
            double[] similarity = new double[b.rows()];
            Integer[] order = new Integer[b.rows()];
            for (int i = 0; i < b.rows(); i++) {
                double s = 0;
                for (int j = 0; j < b.dim(); j++) {
                    s += q.values()[r * b.dim() + j] * b.values()[i * b.dim() + j];
                }
                similarity[i] = s;
                order[i] = i;
            }
            java.util.Arrays.sort(order, (x, y) -> Double.compare(similarity[y], similarity[x]));
            double[] votes = new double[classes];
            for (int j = 0; j < Math.min(k, b.rows()); j++) {
                votes[labels[order[j]]] += Math.exp(similarity[order[j]] / t);
            }
            out[r] = KnnClassifier.argmax(votes);
        }
        return out;
    }

    private static FeatureMatrix clusters(Random random, int rows, int dim, int[] labels, double noise) {
        float[] values = new float[rows * dim];
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < dim; j++) {
                values[r * dim + j] = (float) ((j == labels[r] ? 1 : 0) + noise * random.nextGaussian());
            }
        }
        return new FeatureMatrix(values, rows, dim);
    }

    @Test
    void agreesWithBruteForceAcrossChunks() {
        Random random = new Random(11);
        int classes = 4;
        int[] bankLabels = random.ints(700, 0, classes).toArray();
        int[] queryLabels = random.ints(1100, 0, classes).toArray(); // > one 512-row chunk
        FeatureMatrix bank = clusters(random, 700, 6, bankLabels, 0.8);
        FeatureMatrix queries = clusters(random, 1100, 6, queryLabels, 0.8);
        try (NDManager manager = NDManager.newBaseManager()) {
            for (int k : new int[] {1, 5, 200, 5000}) {
                int[] predicted = new KnnClassifier(k, 0.1).predict(bank, bankLabels, queries, classes, manager);
                int[] expected = reference(bank, bankLabels, queries, classes, k, 0.1);
                int agree = 0;
                for (int i = 0; i < expected.length; i++) {
                    agree += predicted[i] == expected[i] ? 1 : 0;
                }
                // fp32 vs double ties may flip a rare vote
                assertThat(agree).as("k=%d", k).isGreaterThanOrEqualTo(expected.length - 2);
            }
            // well-separated clusters are classified almost perfectly
            FeatureMatrix cleanBank = clusters(random, 700, 6, bankLabels, 0.2);
            FeatureMatrix cleanQueries = clusters(random, 1100, 6, queryLabels, 0.2);
            double accuracy = KnnClassifier.standard().accuracy(cleanBank, bankLabels, cleanQueries,
                    queryLabels, classes, manager);
            assertThat(accuracy).isGreaterThan(0.97);
            assertThat(manager.getManagedArrays()).isEmpty();
        }
    }

    @Test
    void embeddingStdIsOneForSpreadAndZeroForCollapsed() {
        Random random = new Random(5);
        int rows = 4000;
        int dim = 64;
        float[] spread = new float[rows * dim];
        for (int i = 0; i < spread.length; i++) {
            spread[i] = (float) random.nextGaussian();
        }
        assertThat(Metrics.embeddingStd(new FeatureMatrix(spread, rows, dim))).isCloseTo(1.0, within(0.03));
        float[] collapsed = new float[rows * dim];
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < dim; j++) {
                collapsed[r * dim + j] = 1f + (float) (1e-4 * random.nextGaussian());
            }
        }
        assertThat(Metrics.embeddingStd(new FeatureMatrix(collapsed, rows, dim))).isLessThan(0.01);
    }

    @Test
    void rejectsBadArguments() {
        assertThatThrownBy(() -> new KnnClassifier(0, 0.1)).hasMessageContaining("found 0");
        assertThatThrownBy(() -> new KnnClassifier(5, -1)).hasMessageContaining("found -1");
        assertThatThrownBy(() -> new FeatureMatrix(new float[5], 2, 2)).hasMessageContaining("found 5");
        assertThatThrownBy(() -> Metrics.accuracy(new int[2], new int[3])).hasMessageContaining("2 and 3");
    }
}
