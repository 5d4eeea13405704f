package dev.selfsup.eval;

import static dev.selfsup.testing.Asserts.assertAllClose;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.selfsup.testing.RandomValues;
import dev.selfsup.util.Json;
import java.io.InputStream;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ForkJoinPool;
import org.junit.jupiter.api.Test;

class TsneTest {
    /** scikit-learn 1.2.1's exact t-SNE of 60 points, written by scripts/tsne-fixture.py. */
    private static final String FIXTURE = "tsne-sklearn.json";

    @Test
    void eachRowsEntropyIsTheLogOfThePerplexity() {
        // unit Gaussians, and the same scaled by 100 (squared distances ~1e5: exp(-d) underflows)
        for (double scale : new double[] {1, 100}) {
            float[] values = RandomValues.gaussian(150 * 8, 5);
            for (int k = 0; k < values.length; k++) {
                values[k] *= (float) scale;
            }
            FeatureMatrix features = new FeatureMatrix(values, 150, 8);
            for (double perplexity : new double[] {2, 5, 30, 100}) {
                double[] p = Tsne.conditionalProbabilities(Tsne.squaredDistances(features), 150,
                        perplexity);
                for (int i = 0; i < 150; i++) {
                    double sum = 0;
                    double entropy = 0;
                    for (int j = 0; j < 150; j++) {
                        double pj = p[i * 150 + j];
                        assertThat(pj).isFinite().isNotNegative();
                        sum += pj;
                        entropy -= pj > 0 ? pj * Math.log(pj) : 0;
                    }
                    assertThat(p[i * 150 + i]).isZero();
                    assertThat(sum).isCloseTo(1, within(1e-12));
                    // the search stops within the tolerance; 1e-12 covers this sum's rounding
                    assertThat(entropy).as("row %d, perplexity %s, scale %s", i, perplexity, scale)
                            .isCloseTo(Math.log(perplexity),
                                    within(Tsne.ENTROPY_TOLERANCE + 1e-12));
                }
            }
        }
    }

    @Test
    void jointProbabilitiesAreSymmetricAndSumToOne() {
        FeatureMatrix features = new FeatureMatrix(RandomValues.gaussian(40 * 3, 6), 40, 3);
        double[] p = Tsne.jointProbabilities(features, 7);
        double[] conditional = Tsne.conditionalProbabilities(Tsne.squaredDistances(features),
                40, 7);
        double sum = 0;
        for (int i = 0; i < 40; i++) {
            for (int j = 0; j < 40; j++) {
                assertThat(p[i * 40 + j]).isEqualTo(p[j * 40 + i]).isCloseTo(
                        (conditional[i * 40 + j] + conditional[j * 40 + i]) / 80, within(1e-18));
                sum += p[i * 40 + j];
            }
        }
        assertThat(sum).isCloseTo(1, within(1e-12));
    }

    @Test
    void gradientIsTheDerivativeOfTheKlDivergence() {
        int n = 12;
        FeatureMatrix features = new FeatureMatrix(RandomValues.gaussian(n * 5, 7), n, 5);
        double[] p = Tsne.jointProbabilities(features, 3);
        double[] y = randomMap(n, 1, 8);
        double[] gradient = new double[2 * n];
        Tsne.gradient(p, y, n, 1, gradient);
        double[] numeric = new double[2 * n];
        double h = 1e-5;
        for (int k = 0; k < y.length; k++) {
            double[] plus = y.clone();
            double[] minus = y.clone();
            plus[k] += h;
            minus[k] -= h;
            numeric[k] = (Tsne.klDivergence(p, plus, n) - Tsne.klDivergence(p, minus, n)) / (2 * h);
        }
        assertAllClose(gradient, numeric, 1e-6, 1e-9);
        assertThat(gradient).satisfies(g -> assertThat(java.util.Arrays.stream(g)
                .map(Math::abs).max().orElseThrow()).isGreaterThan(1e-3)); // not trivially 0
    }

    @Test
    void exaggeratedGradientFollowsThePapersFormula() {
        // 4 sum_j (a p_ij - q_ij) w_ij (y_i - y_j), written out pair by pair
        int n = 15;
        double a = 12;
        FeatureMatrix features = new FeatureMatrix(RandomValues.gaussian(n * 4, 9), n, 4);
        double[] p = Tsne.jointProbabilities(features, 4);
        double[] y = randomMap(n, 3, 10);
        double[][] w = new double[n][n];
        double z = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                if (i != j) {
                    double dx = y[2 * i] - y[2 * j];
                    double dy = y[2 * i + 1] - y[2 * j + 1];
                    w[i][j] = 1 / (1 + dx * dx + dy * dy);
                    z += w[i][j];
                }
            }
        }
        double[] expected = new double[2 * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double factor = 4 * (a * p[i * n + j] - w[i][j] / z) * w[i][j];
                expected[2 * i] += factor * (y[2 * i] - y[2 * j]);
                expected[2 * i + 1] += factor * (y[2 * i + 1] - y[2 * j + 1]);
            }
        }
        double[] gradient = new double[2 * n];
        Tsne.gradient(p, y, n, a, gradient);
        assertAllClose(gradient, expected, 1e-12, 1e-15);
    }

    @Test
    void klDivergenceOfAKnownCase() {
        // two points: P puts all mass on the pair, and so does Q, whatever the map
        double[] p = {0, 0.5, 0.5, 0};
        assertThat(Tsne.klDivergence(p, new double[] {0, 0, 3, 4}, 2)).isCloseTo(0, within(1e-15));
        // three points, P uniform over pairs: KL = sum_{i != j} (1/6) log((1/6) / q_ij)
        double[] uniform = new double[9];
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                uniform[i * 3 + j] = i == j ? 0 : 1.0 / 6;
            }
        }
        double[] y = {0, 0, 1, 0, 0, 2};
        double[] w = {1 / 2.0, 1 / 5.0, 1 / 6.0}; // pairs (0,1), (0,2), (1,2)
        double z = 2 * (w[0] + w[1] + w[2]);
        double expected = 0;
        for (double wij : w) {
            expected += 2 * (1.0 / 6) * Math.log((1.0 / 6) / (wij / z));
        }
        assertThat(Tsne.klDivergence(uniform, y, 3)).isCloseTo(expected, within(1e-14));
    }

    @Test
    void matchesScikitLearnsJointProbabilitiesAndStart() throws Exception {
        JsonNode fixture = fixture();
        FeatureMatrix features = fixtureFeatures(fixture);
        int n = features.rows();
        double[] p = Tsne.jointProbabilities(features, fixture.get("perplexity").asDouble());
        // sklearn's rounds the distances to float32: P within 6e-8 relative, 4e-10 absolute
        assertAllClose(condensed(p, n), doubles(fixture.get("joint_probabilities")), 1e-6, 1e-9);
        // the PCA start: the fixture's up to each column's sign (and power iteration's precision)
        double[] init = flatten(matrix(fixture.get("init")));
        double[] start = Tsne.initialMap(features);
        assertAllClose(start, flipToMatch(start, init), 1e-5, 1e-12);
    }

    @Test
    void followsScikitLearnsOptimisationStepForStep() throws Exception {
        // from sklearn's P and the same start, 20 exaggerated iterations and 10 plain ones:
        // learning rate, momentum, gains, exaggeration and the gradient all as sklearn's
        JsonNode fixture = fixture();
        int n = fixture.get("init").size();
        double[] p = square(doubles(fixture.get("joint_probabilities")), n);
        JsonNode trajectory = fixture.get("trajectory");
        Tsne shortened = Tsne.builder().optIterations(trajectory.get("iterations").asInt())
                .optEarlyExaggeration(fixture.get("early_exaggeration").asDouble(),
                        trajectory.get("exaggeration_iterations").asInt())
                .build();
        double[] map = shortened.optimise(p, flatten(matrix(fixture.get("init"))), n).map();
        double[] expected = centred(flatten(matrix(trajectory.get("embedding"))));
        assertThat(maxAbs(expected)).isGreaterThan(1); // it moved well away from the start
        // rounding (summation order) grows in this chaotic descent: 1e-8 after 30 iterations
        assertAllClose(map, expected, 1e-7, 1e-7);
    }

    @Test
    void fullRunMatchesScikitLearnsInvariants() throws Exception {
        // the full run is chaotic (see scripts/tsne-fixture.py): sklearn's own KL ranges over
        // 0.20 to 0.25 when its start changes by 1e-12; so compare what the path does not fix:
        // the spread of KL over such starts, and trustworthiness
        JsonNode fixture = fixture();
        FeatureMatrix features = fixtureFeatures(fixture);
        int n = features.rows();
        Tsne tsne = Tsne.builder().optPerplexity(fixture.get("perplexity").asDouble())
                .optIterations(fixture.get("n_iter").asInt()).build();
        assertThat(tsne.learningRate(n)).isEqualTo(fixture.get("learning_rate").asDouble());
        double[] init = flatten(matrix(fixture.get("init")));
        double[] theirs = doubles(fixture.get("kl_divergence_perturbed"));
        double[] ours = new double[30];
        for (int seed = 0; seed < ours.length; seed++) {
            SplittableRandom random = new SplittableRandom(seed);
            double[] start = init.clone();
            for (int k = 0; k < start.length; k++) {
                start[k] *= 1 + 1e-12 * random.nextGaussian();
            }
            ours[seed] = tsne.fit(features, start).klDivergence();
        }
        // sklearn: mean 0.2213, std 0.0103 over 50 starts; the means' standard error is 0.003
        assertThat(mean(ours)).isCloseTo(mean(theirs), within(0.01));
        assertThat(std(ours)).isBetween(std(theirs) / 2, std(theirs) * 2);
        Tsne.Result fromTheirs = tsne.fit(features, init);
        Tsne.Result fromOurs = tsne.fit(features);
        for (Tsne.Result result : List.of(fromTheirs, fromOurs)) {
            assertThat(result.klDivergence()).isCloseTo(mean(theirs), within(4 * std(theirs)));
        }
        // our KL of sklearn's map is sklearn's, and our trustworthiness of it too
        double[] map = flatten(matrix(fixture.get("embedding")));
        double[] p = square(doubles(fixture.get("joint_probabilities")), n);
        assertThat(Tsne.klDivergence(p, map, n))
                .isCloseTo(fixture.get("kl_divergence_final").asDouble(), within(1e-9));
        double sklearnTrust = fixture.get("trustworthiness").asDouble();
        assertThat(trustworthiness(features, map, 5)).isCloseTo(sklearnTrust, within(1e-12));
        assertThat(trustworthiness(features, fromTheirs.map(), 5))
                .isGreaterThan(sklearnTrust - 0.01);
        assertThat(trustworthiness(features, fromOurs.map(), 5))
                .isGreaterThan(sklearnTrust - 0.01);
    }

    @Test
    void separatedBlobsStaySeparated() {
        // 4 blobs of 40 points in 6-D, centres 20 apart, unit noise
        int n = 160;
        int dim = 6;
        float[] values = RandomValues.gaussian(n * dim, 11);
        int[] labels = new int[n];
        for (int r = 0; r < n; r++) {
            labels[r] = r % 4;
            values[r * dim + labels[r]] += 20;
        }
        Tsne.Result result = Tsne.builder().build().fit(new FeatureMatrix(values, n, dim));
        int correct = 0;
        for (int i = 0; i < n; i++) {
            int nearest = -1;
            double best = Double.POSITIVE_INFINITY;
            for (int j = 0; j < n; j++) {
                double dx = result.map()[2 * i] - result.map()[2 * j];
                double dy = result.map()[2 * i + 1] - result.map()[2 * j + 1];
                if (j != i && dx * dx + dy * dy < best) {
                    best = dx * dx + dy * dy;
                    nearest = j;
                }
            }
            correct += labels[nearest] == labels[i] ? 1 : 0;
        }
        assertThat(correct).isEqualTo(n);
        assertThat(result.klDivergence()).isPositive().isLessThan(1);
        double meanX = 0;
        double meanY = 0;
        for (int i = 0; i < n; i++) {
            meanX += result.map()[2 * i] / n;
            meanY += result.map()[2 * i + 1] / n;
        }
        assertThat(meanX).isCloseTo(0, within(1e-9));
        assertThat(meanY).isCloseTo(0, within(1e-9));
    }

    @Test
    void fitsRepeatExactlyWhateverTheThreadCount() throws Exception {
        FeatureMatrix features = new FeatureMatrix(RandomValues.gaussian(300 * 5, 12), 300, 5);
        Tsne tsne = Tsne.builder().optPerplexity(20).optIterations(300).build();
        Tsne.Result first = tsne.fit(features);
        Tsne.Result again = tsne.fit(features);
        assertThat(again.map()).isEqualTo(first.map());
        assertThat(again.klDivergence()).isEqualTo(first.klDivergence());
        for (int threads : new int[] {1, 3}) {
            ForkJoinPool pool = new ForkJoinPool(threads);
            try {
                Tsne.Result pooled = pool.submit(() -> tsne.fit(features)).get();
                assertThat(pooled.map()).as("%d threads", threads).isEqualTo(first.map());
            } finally {
                pool.shutdown();
            }
        }
    }

    @Test
    void learningRateIsAutomaticUnlessSet() {
        Tsne auto = Tsne.builder().build();
        assertThat(auto.learningRate(60)).isEqualTo(50);
        assertThat(auto.learningRate(4800)).isEqualTo(100);
        assertThat(Tsne.builder().optEarlyExaggeration(4, 100).build().learningRate(4800))
                .isEqualTo(300);
        assertThat(Tsne.builder().optLearningRate(200).build().learningRate(60)).isEqualTo(200);
    }

    @Test
    void refusesBadArguments() {
        assertThatThrownBy(() -> Tsne.builder().optPerplexity(0.5).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("perplexity must be >= 1").hasMessageContaining("0.5");
        assertThatThrownBy(() -> Tsne.builder().optPerplexity(Double.NaN).build())
                .hasMessageContaining("found NaN");
        assertThatThrownBy(() -> Tsne.builder().optIterations(0).build())
                .hasMessage("iterations must be >= 1, found 0");
        assertThatThrownBy(() -> Tsne.builder().optIterations(100).build())
                .hasMessageContaining("exaggeration iterations must be in [0, iterations (100)]")
                .hasMessageContaining("found 250");
        assertThatThrownBy(() -> Tsne.builder().optEarlyExaggeration(0.5, 10).build())
                .hasMessageContaining("early exaggeration must be >= 1").hasMessageContaining("0.5");
        assertThatThrownBy(() -> Tsne.builder().optLearningRate(-1).build())
                .hasMessageContaining("learning rate must be > 0").hasMessageContaining("-1.0");

        Tsne tsne = Tsne.builder().optPerplexity(10).optIterations(5)
                .optEarlyExaggeration(12, 2).build();
        FeatureMatrix eleven = new FeatureMatrix(RandomValues.gaussian(11 * 3, 13), 11, 3);
        assertThatThrownBy(() -> tsne.fit(eleven))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("perplexity must be < rows - 1 (11 rows")
                .hasMessageContaining("found 10.0");
        FeatureMatrix twelve = new FeatureMatrix(RandomValues.gaussian(12 * 3, 13), 12, 3);
        assertThat(tsne.fit(twelve).rows()).isEqualTo(12);
        assertThatThrownBy(() -> tsne.fit(twelve, new double[23]))
                .hasMessage("initial map must hold rows*2 = 24 values, found 23");
        double[] infinite = new double[24];
        infinite[5] = Double.POSITIVE_INFINITY;
        assertThatThrownBy(() -> tsne.fit(twelve, infinite))
                .hasMessage("initial map must be finite, found Infinity at 5");
        float[] nan = RandomValues.gaussian(12 * 3, 14);
        nan[7] = Float.NaN;
        assertThatThrownBy(() -> tsne.fit(new FeatureMatrix(nan, 12, 3)))
                .hasMessageContaining("features must be finite");
    }

    /** A {@code (n, 2)} map of Gaussian coordinates with std {@code scale}. */
    private static double[] randomMap(int n, double scale, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] y = new double[2 * n];
        for (int k = 0; k < y.length; k++) {
            y[k] = scale * random.nextGaussian();
        }
        return y;
    }

    private static JsonNode fixture() throws java.io.IOException {
        try (InputStream in = TsneTest.class.getResourceAsStream(FIXTURE)) {
            assertThat(in).as(FIXTURE).isNotNull();
            return Json.MAPPER.readTree(in);
        }
    }

    /** The fixture's data: float32 values, written exactly. */
    private static FeatureMatrix fixtureFeatures(JsonNode fixture) {
        double[][] data = matrix(fixture.get("data"));
        int dim = data[0].length;
        float[] values = new float[data.length * dim];
        for (int r = 0; r < data.length; r++) {
            for (int d = 0; d < dim; d++) {
                values[r * dim + d] = (float) data[r][d];
            }
        }
        return new FeatureMatrix(values, data.length, dim);
    }

    /**
     * Trustworthiness (Venna and Kaski 2001), as sklearn.manifold.trustworthiness: 1 minus the
     * penalised ranks, in input space, of each point's {@code k} nearest map neighbours that are
     * not among its {@code k} nearest input neighbours.
     */
    private static double trustworthiness(FeatureMatrix features, double[] map, int k) {
        int n = features.rows();
        double[] input = Tsne.squaredDistances(features);
        double penalty = 0;
        for (int i = 0; i < n; i++) {
            int row = i;
            Integer[] byInput = othersByDistance(n, i, j -> input[row * n + j]);
            Integer[] byMap = othersByDistance(n, i, j -> {
                double dx = map[2 * row] - map[2 * j];
                double dy = map[2 * row + 1] - map[2 * j + 1];
                return dx * dx + dy * dy;
            });
            int[] rank = new int[n];
            for (int r = 0; r < byInput.length; r++) {
                rank[byInput[r]] = r + 1;
            }
            for (int r = 0; r < k; r++) {
                penalty += Math.max(0, rank[byMap[r]] - k);
            }
        }
        return 1 - penalty * 2.0 / (n * k * (2.0 * n - 3.0 * k - 1.0));
    }

    private static Integer[] othersByDistance(int n, int i,
            java.util.function.IntToDoubleFunction distance) {
        return java.util.stream.IntStream.range(0, n).filter(j -> j != i).boxed()
                .sorted(java.util.Comparator.comparingDouble(distance::applyAsDouble))
                .toArray(Integer[]::new);
    }

    /** The upper triangle of a {@code (n, n)} matrix, row by row: sklearn's condensed form. */
    private static double[] condensed(double[] square, int n) {
        double[] out = new double[n * (n - 1) / 2];
        int k = 0;
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                out[k++] = square[i * n + j];
            }
        }
        return out;
    }

    /** The symmetric {@code (n, n)} matrix, zero diagonal, of a condensed one. */
    private static double[] square(double[] condensed, int n) {
        assertThat(condensed).hasSize(n * (n - 1) / 2);
        double[] out = new double[n * n];
        int k = 0;
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++, k++) {
                out[i * n + j] = condensed[k];
                out[j * n + i] = condensed[k];
            }
        }
        return out;
    }

    private static double[] doubles(JsonNode array) {
        double[] out = new double[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asDouble();
        }
        return out;
    }

    private static double mean(double[] values) {
        return java.util.Arrays.stream(values).average().orElseThrow();
    }

    /** Population standard deviation. */
    private static double std(double[] values) {
        double mean = mean(values);
        return Math.sqrt(java.util.Arrays.stream(values).map(v -> (v - mean) * (v - mean))
                .average().orElseThrow());
    }

    private static double maxAbs(double[] values) {
        return java.util.Arrays.stream(values).map(Math::abs).max().orElseThrow();
    }

    private static double[][] matrix(JsonNode rows) {
        double[][] out = new double[rows.size()][];
        for (int r = 0; r < rows.size(); r++) {
            out[r] = new double[rows.get(r).size()];
            for (int c = 0; c < out[r].length; c++) {
                out[r][c] = rows.get(r).get(c).asDouble();
            }
        }
        return out;
    }

    private static double[] flatten(double[][] rows) {
        return java.util.Arrays.stream(rows).flatMapToDouble(java.util.Arrays::stream).toArray();
    }

    private static double[] centred(double[] map) {
        double[] out = map.clone();
        int n = map.length / 2;
        for (int c = 0; c < 2; c++) {
            double mean = 0;
            for (int i = 0; i < n; i++) {
                mean += map[2 * i + c] / n;
            }
            for (int i = 0; i < n; i++) {
                out[2 * i + c] -= mean;
            }
        }
        return out;
    }

    /** {@code target}, each column's sign flipped where that brings it nearer {@code map}. */
    private static double[] flipToMatch(double[] map, double[] target) {
        double[] out = target.clone();
        for (int c = 0; c < 2; c++) {
            double dot = 0;
            for (int i = 0; i < map.length / 2; i++) {
                dot += map[2 * i + c] * target[2 * i + c];
            }
            if (dot < 0) {
                for (int i = 0; i < map.length / 2; i++) {
                    out[2 * i + c] = -out[2 * i + c];
                }
            }
        }
        return out;
    }
}
