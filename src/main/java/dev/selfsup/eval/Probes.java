package dev.selfsup.eval;

import ai.djl.ndarray.NDManager;
import dev.selfsup.data.DataSplits;

/**
 * The evaluation protocol selfsup reports: kNN top-1 ({@link KnnClassifier#standard()}: k=200,
 * T=0.1, cosine, train split as bank) and linear top-1 ({@link LinearProbe#standard}) on the
 * test split, for features of the train and test splits.
 */
public final class Probes {
    private Probes() {}

    /** The probes to run. */
    public enum Kind { KNN, LINEAR }

    /**
     * Top-1 accuracies of one feature set.
     *
     * @param knnTop1 kNN accuracy, or null when not run
     * @param linearTop1 linear-probe accuracy, or null when not run
     */
    public record Result(Double knnTop1, Double linearTop1) {}

    /**
     * Checks that {@code data} can be evaluated: both splits labelled, with at least 2 classes (a
     * probe on one class scores 100% whatever the features).
     *
     * @throws IllegalArgumentException naming the data set (and its one class) when not
     */
    public static void requireClasses(DataSplits data) {
        if (!data.train().isLabelled() || !data.test().isLabelled()) {
            throw new IllegalArgumentException("evaluation needs labels, but " + data.name()
                    + " is unlabelled (use class subfolders for folder data)");
        }
        if (data.train().classCount() < 2) {
            throw new IllegalArgumentException("evaluation needs at least 2 classes, but "
                    + data.name() + " has 1 (" + data.train().classNames().get(0) + "): a probe "
                    + "on one class scores 100% whatever the features");
        }
    }

    /**
     * Runs the requested probes, kNN under {@link KnnClassifier#standard()}.
     *
     * @throws IllegalArgumentException as {@link #requireClasses}
     */
    public static Result run(FeatureMatrix train, FeatureMatrix test, DataSplits data,
            java.util.Set<Kind> kinds, long seed, NDManager manager) {
        return run(train, test, data, kinds, seed, KnnClassifier.standard(), manager);
    }

    /**
     * Runs the requested probes, kNN under {@code knn}.
     *
     * @throws IllegalArgumentException as {@link #requireClasses}
     */
    public static Result run(FeatureMatrix train, FeatureMatrix test, DataSplits data,
            java.util.Set<Kind> kinds, long seed, KnnClassifier knn, NDManager manager) {
        requireClasses(data);
        int classes = data.train().classCount();
        Double knnTop1 = null;
        Double linear = null;
        if (kinds.contains(Kind.KNN)) {
            knnTop1 = knn.accuracy(train, data.train().labels(), test,
                    data.test().labels(), classes, manager);
        }
        if (kinds.contains(Kind.LINEAR)) {
            linear = LinearProbe.standard(seed).accuracy(train, data.train().labels(), test,
                    data.test().labels(), classes, manager);
        }
        return new Result(knnTop1, linear);
    }
}
