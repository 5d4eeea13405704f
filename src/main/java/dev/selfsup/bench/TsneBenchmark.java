package dev.selfsup.bench;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.selfsup.eval.FeatureMatrix;
import dev.selfsup.eval.Tsne;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;

/**
 * Times {@link Tsne}'s default fit (perplexity 30, 1000 iterations) on {@code points} random
 * rows: ten Gaussian blobs (centres drawn with std 2, unit noise) in {@code dim} dimensions.
 */
public final class TsneBenchmark {
    private TsneBenchmark() {}

    /**
     * @param points rows mapped
     * @param dim feature width
     * @param threads the fork-join pool the row loops run on
     * @param seconds wall time of one fit, after a short warm-up fit
     * @param klDivergence the fitted map's {@code KL(P || Q)}
     */
    @JsonPropertyOrder({"benchmark", "points", "dim", "threads", "seconds", "kl_divergence"})
    public record Result(int points, int dim, int threads, double seconds,
            @JsonProperty("kl_divergence") double klDivergence) {
        /** {@code "tsne"}, as the JSON line names it. */
        @JsonProperty("benchmark")
        public String benchmark() {
            return "tsne";
        }
    }

    public static Result run(int points, int dim, int threads)
            throws InterruptedException, ExecutionException {
        FeatureMatrix features = blobs(points, dim, new SplittableRandom(1));
        FeatureMatrix warmUp = blobs(Math.min(points, 300), dim, new SplittableRandom(2));
        ForkJoinPool pool = new ForkJoinPool(threads);
        try {
            Tsne tsne = Tsne.builder().optPerplexity(Math.min(30, (warmUp.rows() - 2) / 3.0))
                    .optIterations(300).build();
            pool.submit(() -> tsne.fit(warmUp)).get();
            Tsne standard = Tsne.builder().build();
            long start = System.nanoTime();
            Tsne.Result result = pool.submit(() -> standard.fit(features)).get();
            double seconds = (System.nanoTime() - start) / 1e9;
            return new Result(points, dim, threads, seconds, result.klDivergence());
        } finally {
            pool.shutdown();
        }
    }

    private static FeatureMatrix blobs(int rows, int dim, SplittableRandom random) {
        double[][] centres = new double[10][dim];
        for (double[] centre : centres) {
            for (int d = 0; d < dim; d++) {
                centre[d] = 2 * random.nextGaussian();
            }
        }
        float[] values = new float[rows * dim];
        for (int r = 0; r < rows; r++) {
            for (int d = 0; d < dim; d++) {
                values[r * dim + d] = (float) (centres[r % 10][d] + random.nextGaussian());
            }
        }
        return new FeatureMatrix(values, rows, dim);
    }
}
