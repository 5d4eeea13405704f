package dev.selfsup.eval;

/** Small statistics over predictions and embeddings. */
public final class Metrics {
    private Metrics() {}

    /** Fraction of positions where {@code predicted} equals {@code actual}. */
    public static double accuracy(int[] predicted, int[] actual) {
        if (predicted.length != actual.length || actual.length == 0) {
            throw new IllegalArgumentException("need equal, non-empty label arrays, found "
                    + predicted.length + " and " + actual.length);
        }
        int correct = 0;
        for (int i = 0; i < actual.length; i++) {
            if (predicted[i] == actual[i]) {
                correct++;
            }
        }
        return (double) correct / actual.length;
    }

    /**
     * The collapse monitor of lightly (and Tian et al.'s SimSiam analysis,
     * https://arxiv.org/abs/2011.10566): the per-dimension standard deviation of l2-normalised
     * embeddings, averaged over dimensions, times {@code sqrt(dim)}. Near 1 for embeddings spread
     * over the sphere; near 0 when every sample maps to the same point (collapse).
     */
    public static double embeddingStd(FeatureMatrix features) {
        FeatureMatrix normalized = features.l2Normalized();
        int rows = normalized.rows();
        int dim = normalized.dim();
        if (rows < 2) {
            throw new IllegalArgumentException("need at least 2 embeddings, found " + rows);
        }
        double[] sum = new double[dim];
        double[] sumSquares = new double[dim];
        float[] v = normalized.values();
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < dim; j++) {
                double x = v[r * dim + j];
                sum[j] += x;
                sumSquares[j] += x * x;
            }
        }
        double meanStd = 0;
        for (int j = 0; j < dim; j++) {
            double mean = sum[j] / rows;
            double variance = Math.max(0, sumSquares[j] / rows - mean * mean);
            meanStd += Math.sqrt(variance);
        }
        return meanStd / dim * Math.sqrt(dim);
    }
}
