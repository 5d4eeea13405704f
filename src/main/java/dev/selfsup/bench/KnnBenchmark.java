package dev.selfsup.bench;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.selfsup.eval.FeatureMatrix;
import dev.selfsup.eval.KnnClassifier;
import dev.selfsup.train.TorchRuntime;
import java.util.SplittableRandom;

/** Times {@link KnnClassifier#standard()} on random features: queries against a labelled bank. */
public final class KnnBenchmark {
    private KnnBenchmark() {}

    /**
     * @param queries query rows
     * @param bank bank rows
     * @param dim feature width
     * @param threads libtorch threads
     * @param seconds wall time of one full classification
     * @param queriesPerSecond {@code queries / seconds}
     */
    @JsonPropertyOrder({"benchmark", "queries", "bank", "dim", "threads", "seconds",
        "queries_per_second"})
    public record Result(int queries, int bank, int dim, int threads, double seconds,
            @JsonProperty("queries_per_second") double queriesPerSecond) {
        /** {@code "knn"}, as the JSON line names it. */
        @JsonProperty("benchmark")
        public String benchmark() {
            return "knn";
        }
    }

    public static Result run(int queries, int bank, int dim, int threads) {
        TorchRuntime.setThreads(threads);
        SplittableRandom random = new SplittableRandom(1);
        FeatureMatrix bankFeatures = randomMatrix(random, bank, dim);
        FeatureMatrix queryFeatures = randomMatrix(random, queries, dim);
        int[] labels = random.ints(bank, 0, 10).toArray();
        try (NDManager manager = NDManager.newBaseManager()) {
            KnnClassifier knn = KnnClassifier.standard();
            knn.predict(bankFeatures, labels, randomMatrix(random, 512, dim), 10, manager); // warm-up
            long start = System.nanoTime();
            knn.predict(bankFeatures, labels, queryFeatures, 10, manager);
            double seconds = (System.nanoTime() - start) / 1e9;
            return new Result(queries, bank, dim, threads, seconds, queries / seconds);
        }
    }

    private static FeatureMatrix randomMatrix(SplittableRandom random, int rows, int dim) {
        float[] values = new float[rows * dim];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextGaussian();
        }
        return new FeatureMatrix(values, rows, dim);
    }
}
