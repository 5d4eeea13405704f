package dev.selfsup.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.selfsup.testing.ManagedTest;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LabelEfficiencyTest extends ManagedTest {
    private static final int CLASSES = 5;
    private static final int DIM = 16;

    /** Class centres: random directions of length {@code separation}. */
    private static float[][] centres(Random random, double separation) {
        float[][] centres = new float[CLASSES][DIM];
        for (float[] centre : centres) {
            double norm = 0;
            for (int j = 0; j < DIM; j++) {
                centre[j] = (float) random.nextGaussian();
                norm += centre[j] * centre[j];
            }
            for (int j = 0; j < DIM; j++) {
                centre[j] *= (float) (separation / Math.sqrt(norm));
            }
        }
        return centres;
    }

    /** {@code perClass} samples of every class: its centre plus isotropic Gaussian noise. */
    private static FeatureMatrix clusters(Random random, float[][] centres, int[] labels, double noise) {
        float[] values = new float[labels.length * DIM];
        for (int r = 0; r < labels.length; r++) {
            for (int j = 0; j < DIM; j++) {
                values[r * DIM + j] = centres[labels[r]][j] + (float) (noise * random.nextGaussian());
            }
        }
        return new FeatureMatrix(values, labels.length, DIM);
    }

    private static int[] balancedLabels(int perClass) {
        int[] labels = new int[CLASSES * perClass];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = i % CLASSES;
        }
        return labels;
    }

    @Test
    void moreLabelsNeverHurtOnSeparableClusters() {
        Random random = new Random(3);
        float[][] centres = centres(random, 1.0);
        int[] trainLabels = balancedLabels(100);
        int[] testLabels = balancedLabels(100);
        FeatureMatrix train = clusters(random, centres, trainLabels, 0.45);
        FeatureMatrix test = clusters(random, centres, testLabels, 0.45);
        List<LabelBudget> budgets = List.of(LabelBudget.perClass(1), LabelBudget.perClass(5),
                LabelBudget.perClass(50), LabelBudget.all());
        LabelEfficiency curves = new LabelEfficiency(budgets, 5, EnumSet.allOf(Probes.Kind.class), 0);

        List<LabelEfficiency.Result> results = curves.run(train, trainLabels, test, testLabels,
                CLASSES, manager);

        assertThat(results).hasSize(budgets.size() * 2);
        for (Probes.Kind probe : Probes.Kind.values()) {
            List<LabelEfficiency.Result> curve = results.stream()
                    .filter(r -> r.probe() == probe).toList();
            assertThat(curve).extracting(LabelEfficiency.Result::budget).containsExactlyElementsOf(budgets);
            assertThat(curve).extracting(LabelEfficiency.Result::labelsUsed)
                    .containsExactly(5, 25, 250, 500);
            for (int i = 0; i < 3; i++) {
                LabelEfficiency.Result r = curve.get(i);
                assertThat(r.values()).hasSize(5);
                assertThat(r.mean()).isCloseTo(r.values().stream().mapToDouble(v -> v).average()
                        .orElseThrow(), within(1e-12));
                assertThat(r.std()).isGreaterThanOrEqualTo(0);
            }
            assertThat(curve.get(0).std()).as("%s: one label per class varies", probe).isPositive();
            assertThat(curve.get(3).values()).as("every label: evaluated once").hasSize(1);
            assertThat(curve.get(3).std()).isZero();
            double[] means = curve.stream().mapToDouble(LabelEfficiency.Result::mean).toArray();
            assertThat(means[1]).as("%s: 5 vs 1 per class %s", probe, curve)
                    .isGreaterThanOrEqualTo(means[0]);
            assertThat(means[2]).as("%s: 50 vs 5 per class %s", probe, curve)
                    .isGreaterThanOrEqualTo(means[1]);
            assertThat(means[2] - means[0]).as("%s: the curve rises %s", probe, curve)
                    .isGreaterThan(0.05);
            assertThat(means[0]).as("%s: one label per class beats chance", probe)
                    .isGreaterThan(1.5 / CLASSES);
        }
        assertThat(manager.getManagedArrays()).isEmpty();
    }

    @Test
    void theSameSeedGivesTheSameCurve() {
        Random random = new Random(8);
        float[][] centres = centres(random, 1.0);
        int[] labels = balancedLabels(20);
        FeatureMatrix train = clusters(random, centres, labels, 0.6);
        FeatureMatrix test = clusters(random, centres, labels, 0.6);
        List<LabelBudget> budgets = List.of(LabelBudget.perClass(2), LabelBudget.fraction(0.25));
        LabelEfficiency curves = new LabelEfficiency(budgets, 3, Set.of(Probes.Kind.KNN), 11);
        List<LabelEfficiency.Result> first = curves.run(train, labels, test, labels, CLASSES, manager);
        List<LabelEfficiency.Result> again = curves.run(train, labels, test, labels, CLASSES, manager);
        assertThat(again).isEqualTo(first);
        assertThat(first).extracting(LabelEfficiency.Result::probe).containsOnly(Probes.Kind.KNN);
        assertThat(first).extracting(LabelEfficiency.Result::labelsUsed).containsExactly(10, 25);
    }

    @Test
    void knnWithABankSmallerThanKVotesWithEveryItem() {
        FeatureMatrix bank = new FeatureMatrix(new float[] {1, 0, 0, 1, -1, 0}, 3, 2);
        FeatureMatrix queries = new FeatureMatrix(new float[] {0.9f, 0.1f, 0.1f, 0.9f, -1, 0.2f}, 3, 2);
        int[] predicted = KnnClassifier.standard().predict(bank, new int[] {0, 1, 2}, queries, 3,
                manager);
        assertThat(predicted).containsExactly(0, 1, 2);
        assertThatThrownBy(() -> KnnClassifier.standard().predict(new FeatureMatrix(new float[0], 0, 2),
                new int[0], queries, 3, manager))
                .hasMessage("bank must hold at least one row, found 0");
    }

    @Test
    void theCurvesVoteWithTheKnnClassifierTheyAreGiven() {
        // one query; the bank: its exact copy (class 1) and three near neighbours of class 0
        FeatureMatrix bank = new FeatureMatrix(new float[] {1, 0, 0.9f, 0.1f, 0.9f, -0.1f,
            0.8f, 0.2f}, 4, 2);
        int[] bankLabels = {1, 0, 0, 0};
        FeatureMatrix query = new FeatureMatrix(new float[] {1, 0}, 1, 2);
        int[] queryLabel = {1};
        List<LabelBudget> all = List.of(LabelBudget.all());
        Set<Probes.Kind> knn = Set.of(Probes.Kind.KNN);
        // the nearest item alone decides: right; all four with near-equal weights: the majority
        double nearest = new LabelEfficiency(all, 1, knn, 0, new KnnClassifier(1, 0.1))
                .run(bank, bankLabels, query, queryLabel, 2, manager).get(0).mean();
        double wholeBank = new LabelEfficiency(all, 1, knn, 0, new KnnClassifier(200, 100))
                .run(bank, bankLabels, query, queryLabel, 2, manager).get(0).mean();
        assertThat(nearest).isEqualTo(1.0);
        assertThat(wholeBank).isEqualTo(0.0);
        assertThat(new LabelEfficiency(all, 1, knn, 0).knn()).isEqualTo(KnnClassifier.standard());
        assertThatThrownBy(() -> new LabelEfficiency(all, 1, knn, 0, null))
                .isInstanceOf(NullPointerException.class).hasMessage("knn");
    }

    @Test
    void featureRowsPicksRowsInOrder() {
        FeatureMatrix m = new FeatureMatrix(new float[] {0, 1, 10, 11, 20, 21}, 3, 2);
        FeatureMatrix picked = m.rows(new int[] {2, 0, 2});
        assertThat(picked.rows()).isEqualTo(3);
        assertThat(picked.values()).containsExactly(20, 21, 0, 1, 20, 21);
        assertThat(m.rows(new int[0]).rows()).isZero();
        assertThatThrownBy(() -> m.rows(new int[] {1, 3}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("row indices must be in [0, 3), found 3 at position 1");
    }

    @Test
    void badArgumentsNameTheValue() {
        List<LabelBudget> one = List.of(LabelBudget.perClass(1));
        Set<Probes.Kind> knn = Set.of(Probes.Kind.KNN);
        assertThatThrownBy(() -> new LabelEfficiency(one, 0, knn, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("repeats must be >= 1, found 0");
        assertThatThrownBy(() -> new LabelEfficiency(List.of(), 5, knn, 0))
                .hasMessage("budgets must not be empty");
        assertThatThrownBy(() -> new LabelEfficiency(one, 5, Set.of(), 0))
                .hasMessage("probes must not be empty");
        FeatureMatrix m = new FeatureMatrix(new float[4], 2, 2);
        assertThatThrownBy(() -> new LabelEfficiency(one, 1, knn, 0)
                .run(m, new int[3], m, new int[2], 2, manager))
                .hasMessage("train has 2 rows but 3 labels");
        assertThatThrownBy(() -> new LabelEfficiency(one, 1, knn, 0)
                .run(m, new int[2], m, new int[1], 2, manager))
                .hasMessage("test has 2 rows but 1 labels");
    }

    @Test
    void stdIsTheSampleStandardDeviation() {
        assertThat(LabelEfficiency.std(new double[] {0.5})).isZero();
        assertThat(LabelEfficiency.std(new double[] {1, 2, 3, 4})).isCloseTo(Math.sqrt(5.0 / 3),
                within(1e-12));
        assertThat(LabelEfficiency.mean(new double[] {1, 2, 3, 4})).isEqualTo(2.5);
    }
}
