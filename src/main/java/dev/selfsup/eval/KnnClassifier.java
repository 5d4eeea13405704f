package dev.selfsup.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.FloatBuffer;

/**
 * Weighted cosine k-nearest-neighbour classification, the monitor of InstDisc
 * (Wu et al. 2018, https://arxiv.org/abs/1805.01978) that lightly and solo-learn use: each query
 * takes the k most cosine-similar bank items, each votes for its label with weight
 * {@code exp(similarity / T)}, and the class with the largest total wins. Similarities come from
 * chunked matrix products; no query-by-bank matrix is ever held whole.
 *
 * @param k neighbours per query (200 in the papers); a bank of fewer than {@code k} items (e.g.
 *     a few labels per class, see {@link LabelEfficiency}) votes with all of its items
 * @param temperature T of the vote weights (0.1 in the papers)
 */
public record KnnClassifier(int k, double temperature) {
    /** Rows of queries per matrix product. */
    private static final int QUERY_CHUNK = 512;

    public KnnClassifier {
        if (k <= 0) {
            throw new IllegalArgumentException("k must be > 0, found " + k);
        }
        if (!(temperature > 0)) {
            throw new IllegalArgumentException("temperature must be > 0, found " + temperature);
        }
    }

    /** The papers' protocol: k = 200, T = 0.1. */
    public static KnnClassifier standard() {
        return new KnnClassifier(200, 0.1);
    }

    /**
     * Predicts a label for each query.
     *
     * @param bank {@code (bankSize, dim)} features of labelled samples
     * @param bankLabels labels of the bank, in [0, classCount)
     * @param queries {@code (queryCount, dim)} features to classify
     * @param classCount number of classes
     * @param parent manager under which temporary arrays live (and are closed)
     * @return one predicted label per query
     */
    public int[] predict(FeatureMatrix bank, int[] bankLabels, FeatureMatrix queries,
            int classCount, NDManager parent) {
        if (bank.dim() != queries.dim()) {
            throw new IllegalArgumentException("bank and queries differ in width: "
                    + bank.dim() + " vs " + queries.dim());
        }
        if (bankLabels.length != bank.rows()) {
            throw new IllegalArgumentException("bank has " + bank.rows() + " rows but "
                    + bankLabels.length + " labels");
        }
        if (bank.rows() == 0) {
            throw new IllegalArgumentException("bank must hold at least one row, found 0");
        }
        int neighbours = Math.min(k, bank.rows()); // a small bank: every item votes
        int[] predictions = new int[queries.rows()];
        FeatureMatrix normalizedBank = bank.l2Normalized();
        FeatureMatrix normalizedQueries = queries.l2Normalized();
        int dim = bank.dim();
        try (NDManager manager = parent.newSubManager()) {
            NDArray bankT = manager.create(FloatBuffer.wrap(normalizedBank.values()),
                    new Shape(bank.rows(), dim)).transpose(); // (dim, bankSize)
            double[] votes = new double[classCount];
            for (int start = 0; start < queries.rows(); start += QUERY_CHUNK) {
                int count = Math.min(QUERY_CHUNK, queries.rows() - start);
                try (NDManager chunk = manager.newSubManager()) {
                    NDArray q = chunk.create(FloatBuffer.wrap(normalizedQueries.values(),
                            start * dim, count * dim), new Shape(count, dim));
                    NDList top = q.matMul(bankT).topK(neighbours, 1, true, false); // (count, k)
                    float[] similarities = top.get(0).toFloatArray();
                    long[] indices = top.get(1).toLongArray();
                    for (int r = 0; r < count; r++) {
                        java.util.Arrays.fill(votes, 0);
                        for (int j = 0; j < neighbours; j++) {
                            int label = bankLabels[(int) indices[r * neighbours + j]];
                            votes[label] += Math.exp(similarities[r * neighbours + j] / temperature);
                        }
                        predictions[start + r] = argmax(votes);
                    }
                }
            }
        }
        return predictions;
    }

    /** Top-1 accuracy of {@link #predict} against {@code queryLabels}. */
    public double accuracy(FeatureMatrix bank, int[] bankLabels, FeatureMatrix queries,
            int[] queryLabels, int classCount, NDManager parent) {
        int[] predictions = predict(bank, bankLabels, queries, classCount, parent);
        return Metrics.accuracy(predictions, queryLabels);
    }

    static int argmax(double[] values) {
        int best = 0;
        for (int i = 1; i < values.length; i++) {
            if (values[i] > values[best]) {
                best = i;
            }
        }
        return best;
    }
}
