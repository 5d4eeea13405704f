package dev.selfsup.eval;

import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Label-efficiency curves, the classic claim of self-supervision: the accuracy of the standard
 * probes when only a few training labels are kept. For each budget and each of {@code repeats}
 * independent class-balanced subsets ({@link LabelSubsets}), the kNN bank
 * ({@link KnnClassifier#standard()} unless another classifier is given) or the linear probe's
 * training set ({@link LinearProbe#standard}) is cut to the subset's rows of the training
 * features; the whole test split is scored every time. kNN takes {@code min(k, bank size)}
 * neighbours, so a bank of fewer than 200 items votes with all of them under the standard
 * classifier; with 60 labels per class, k = 200 votes with a third of a 10-class bank, which
 * blurs the vote (a smaller {@code k}, e.g. 20 as in DINO, reads small banks more sharply).
 *
 * <p>The subsets depend only on the labels, the budget, the seed and the repeat, so every feature
 * set evaluated with the same seed sees the same subsets. A budget that keeps every training
 * label (e.g. {@link LabelBudget#all()}) gives the same subset in every repeat and is evaluated
 * once.
 *
 * <pre>{@code
 * LabelEfficiency curves = new LabelEfficiency(
 *         List.of(LabelBudget.perClass(1), LabelBudget.perClass(10), LabelBudget.fraction(0.1)),
 *         5, EnumSet.allOf(Probes.Kind.class), seed);
 * for (LabelEfficiency.Result r : curves.run(train, trainLabels, test, testLabels, 10, manager)) {
 *     System.out.printf("%s %s %.3f ± %.3f%n", r.budget().spec(), r.probe(), r.mean(), r.std());
 * }
 * }</pre>
 *
 * @param budgets label budgets, in the order results are wanted; not empty
 * @param repeats independent subsets per budget, at least 1
 * @param probes the probes to run; not empty
 * @param seed draws the subsets and seeds the linear probe's shuffling
 * @param knn the kNN classifier (its k and temperature)
 */
public record LabelEfficiency(List<LabelBudget> budgets, int repeats, Set<Probes.Kind> probes,
        long seed, KnnClassifier knn) {
    /** Subsets per budget unless told otherwise. */
    public static final int DEFAULT_REPEATS = 5;

    public LabelEfficiency {
        budgets = List.copyOf(budgets);
        if (budgets.isEmpty()) {
            throw new IllegalArgumentException("budgets must not be empty");
        }
        if (repeats < 1) {
            throw new IllegalArgumentException("repeats must be >= 1, found " + repeats);
        }
        if (probes.isEmpty()) {
            throw new IllegalArgumentException("probes must not be empty");
        }
        probes = Set.copyOf(probes);
        Objects.requireNonNull(knn, "knn");
    }

    /** Curves under the standard kNN classifier ({@link KnnClassifier#standard()}). */
    public LabelEfficiency(List<LabelBudget> budgets, int repeats, Set<Probes.Kind> probes,
            long seed) {
        this(budgets, repeats, probes, seed, KnnClassifier.standard());
    }

    /**
     * The figures of one probe at one budget.
     *
     * @param budget the label budget
     * @param probe the probe
     * @param labelsUsed training labels in each subset (the same in every repeat)
     * @param mean mean test top-1 over the repeats
     * @param std sample standard deviation of the test top-1 over the repeats (0 for one value)
     * @param values test top-1 of each repeat, in repeat order (one value for a budget that keeps
     *     every label)
     */
    public record Result(LabelBudget budget, Probes.Kind probe, int labelsUsed, double mean,
            double std, List<Double> values) {
        public Result {
            Objects.requireNonNull(budget, "budget");
            Objects.requireNonNull(probe, "probe");
            values = List.copyOf(values);
        }
    }

    /**
     * Runs every probe at every budget, {@code repeats} times each.
     *
     * @param train {@code (trainCount, dim)} features of the training split
     * @param trainLabels labels of {@code train}, in {@code [0, classCount)}
     * @param test {@code (testCount, dim)} features of the test split, scored whole
     * @param testLabels labels of {@code test}
     * @param manager manager under which the probes' temporaries live (and are closed)
     * @return one result per (budget, probe), budgets in the given order, kNN before linear
     */
    public List<Result> run(FeatureMatrix train, int[] trainLabels, FeatureMatrix test,
            int[] testLabels, int classCount, NDManager manager) {
        if (trainLabels.length != train.rows()) {
            throw new IllegalArgumentException("train has " + train.rows() + " rows but "
                    + trainLabels.length + " labels");
        }
        if (testLabels.length != test.rows()) {
            throw new IllegalArgumentException("test has " + test.rows() + " rows but "
                    + testLabels.length + " labels");
        }
        LabelSubsets subsets = new LabelSubsets(trainLabels, classCount);
        List<Result> results = new ArrayList<>();
        for (LabelBudget budget : budgets) {
            int used = subsets.labelsUsed(budget);
            int draws = used == train.rows() ? 1 : repeats; // every label: one subset
            double[][] values = new double[Probes.Kind.values().length][draws];
            for (int repeat = 0; repeat < draws; repeat++) {
                int[] rows = subsets.indices(budget, seed, repeat);
                FeatureMatrix bank = train.rows(rows);
                int[] bankLabels = new int[rows.length];
                for (int i = 0; i < rows.length; i++) {
                    bankLabels[i] = trainLabels[rows[i]];
                }
                for (Probes.Kind probe : EnumSet.copyOf(probes)) {
                    values[probe.ordinal()][repeat] = switch (probe) {
                        case KNN -> knn.accuracy(bank, bankLabels, test,
                                testLabels, classCount, manager);
                        case LINEAR -> LinearProbe.standard(seed).accuracy(bank, bankLabels,
                                test, testLabels, classCount, manager);
                    };
                }
            }
            for (Probes.Kind probe : EnumSet.copyOf(probes)) {
                double[] v = values[probe.ordinal()];
                results.add(new Result(budget, probe, used, mean(v), std(v),
                        java.util.Arrays.stream(v).boxed().toList()));
            }
        }
        return results;
    }

    static double mean(double[] values) {
        double sum = 0;
        for (double v : values) {
            sum += v;
        }
        return sum / values.length;
    }

    /** Sample standard deviation ({@code n - 1} in the denominator); 0 for a single value. */
    static double std(double[] values) {
        if (values.length < 2) {
            return 0;
        }
        double mean = mean(values);
        double squares = 0;
        for (double v : values) {
            squares += (v - mean) * (v - mean);
        }
        return Math.sqrt(squares / (values.length - 1));
    }
}
