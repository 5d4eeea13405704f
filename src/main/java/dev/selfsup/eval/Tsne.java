package dev.selfsup.eval;

import java.util.Objects;
import java.util.OptionalDouble;
import java.util.stream.IntStream;

/**
 * Exact t-SNE (van der Maaten and Hinton, "Visualizing Data using t-SNE", JMLR 9, 2008,
 * <a href="https://jmlr.org/papers/v9/vandermaaten08a.html">jmlr.org/papers/v9</a>):
 * a 2-D map of {@code (rows, dim)} features in which rows that are near in feature space stay
 * near. Every pair of rows is used, so time and memory grow as {@code rows^2}: for 2,000 rows,
 * two {@code (rows, rows)} double matrices (64 MB) and about 10 s of one core (see
 * {@code selfsup bench tsne}); maps of more rows should use a sample.
 *
 * <p>The steps, in double precision:
 * <ol>
 *   <li>squared Euclidean distances {@code d_ij} of the input rows;
 *   <li>per row, the Gaussian conditional {@code p_j|i ∝ exp(-beta_i d_ij)} whose precision
 *       {@code beta_i} is found by bisection until its entropy (in nats) is within
 *       {@value #ENTROPY_TOLERANCE} of {@code log(perplexity)};
 *   <li>joint {@code p_ij = (p_j|i + p_i|j) / (2 rows)}, symmetric, summing to 1;
 *   <li>the map's Student-t (one degree of freedom) joint {@code q_ij = w_ij / Z},
 *       {@code w_ij = 1 / (1 + |y_i - y_j|^2)}, {@code Z = sum_{k != l} w_kl};
 *   <li>gradient descent on {@code KL(P || Q)}, whose gradient is
 *       {@code 4 sum_j (p_ij - q_ij) w_ij (y_i - y_j)}, with the usual schedule: the first
 *       {@link #exaggerationIterations()} iterations see {@code P} times
 *       {@link #earlyExaggeration()} and momentum 0.5, the rest see {@code P} and momentum 0.8
 *       (the optimiser restarts there: updates and gains reset); each coordinate's step is
 *       scaled by a gain that grows by 0.2 when the gradient's sign differs from the last
 *       update's and shrinks by a factor 0.8 otherwise (at least 0.01); the map is recentred
 *       after every update (which changes no distance).
 * </ol>
 * The map starts from the rows' first two principal components ({@link #initialMap}), scaled
 * so that the first coordinate's std is 1e-4: no random numbers, so a fit is deterministic.
 * The row loops run in parallel, each row's sums in a fixed order, so results do not depend on
 * the thread count. From the same start and {@code P} this is scikit-learn's
 * {@code TSNE(method="exact")} step for step; the descent is chaotic (a change of 1e-12 in the
 * start moves the final map visibly), so over a full run the two agree in what does not depend
 * on the path (KL divergence, trustworthiness), not in coordinates (tested against its output).
 *
 * @param perplexity the effective number of neighbours each row's conditional distribution
 *     spreads over (5 to 50 is usual); at least 1, and below {@code rows - 1} when fitting
 * @param iterations gradient-descent iterations in all
 * @param earlyExaggeration the factor {@code P} is multiplied by in the first iterations, at
 *     least 1
 * @param exaggerationIterations how many first iterations are exaggerated, in
 *     {@code [0, iterations]}
 * @param learningRate the step size; empty: {@code max(rows / earlyExaggeration / 4, 50)}
 */
public record Tsne(double perplexity, int iterations, double earlyExaggeration,
        int exaggerationIterations, OptionalDouble learningRate) {
    /** How close each row's entropy comes to {@code log(perplexity)}, in nats. */
    public static final double ENTROPY_TOLERANCE = 1e-5;

    /** The std of the initial map's first coordinate. */
    public static final double INITIAL_STD = 1e-4;

    private static final int SEARCH_STEPS = 100;
    /** Rows per parallel task of the gradient: fixed, so sums never depend on the threads. */
    private static final int ROW_BLOCK = 16;
    private static final double INITIAL_MOMENTUM = 0.5;
    private static final double FINAL_MOMENTUM = 0.8;
    private static final double GAIN_STEP = 0.2;
    private static final double GAIN_DECAY = 0.8;
    private static final double MIN_GAIN = 0.01;

    public Tsne {
        Objects.requireNonNull(learningRate, "learningRate");
        if (!(perplexity >= 1) || Double.isInfinite(perplexity)) {
            throw new IllegalArgumentException("perplexity must be >= 1 and finite (a "
                    + "distribution's perplexity is at least 1), found " + perplexity);
        }
        if (iterations < 1) {
            throw new IllegalArgumentException("iterations must be >= 1, found " + iterations);
        }
        if (!(earlyExaggeration >= 1) || Double.isInfinite(earlyExaggeration)) {
            throw new IllegalArgumentException("early exaggeration must be >= 1 and finite, "
                    + "found " + earlyExaggeration);
        }
        if (exaggerationIterations < 0 || exaggerationIterations > iterations) {
            throw new IllegalArgumentException("exaggeration iterations must be in [0, "
                    + "iterations (" + iterations + ")], found " + exaggerationIterations);
        }
        if (learningRate.isPresent() && !(learningRate.getAsDouble() > 0
                && Double.isFinite(learningRate.getAsDouble()))) {
            throw new IllegalArgumentException("learning rate must be > 0 and finite, found "
                    + learningRate.getAsDouble());
        }
    }

    /**
     * A builder with the usual defaults: perplexity 30, 1000 iterations, the first 250 of them
     * exaggerated 12 times, the automatic learning rate.
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A fitted map.
     *
     * @param map {@code (rows, 2)} coordinates, row-major, centred
     * @param klDivergence {@code KL(P || Q)} of this map, in nats
     */
    public record Result(double[] map, double klDivergence) {
        public Result {
            Objects.requireNonNull(map, "map");
        }

        /** Rows in the map. */
        public int rows() {
            return map.length / 2;
        }
    }

    /** The learning rate used for {@code rows} rows. */
    public double learningRate(int rows) {
        return learningRate.orElse(Math.max(rows / earlyExaggeration / 4, 50));
    }

    /**
     * The map of {@code features}, started from {@link #initialMap(FeatureMatrix)}.
     *
     * @param features {@code (rows, dim)}, finite, more than {@code perplexity + 1} rows
     * @throws IllegalArgumentException if there are too few rows for the perplexity, or a value
     *     is not finite
     */
    public Result fit(FeatureMatrix features) {
        checkRows(features);
        return fit(features, initialMap(features));
    }

    /**
     * The map of {@code features}, started from {@code initialMap}.
     *
     * @param features {@code (rows, dim)}, finite, more than {@code perplexity + 1} rows
     * @param initialMap {@code (rows, 2)} starting coordinates, row-major, finite; not changed
     * @throws IllegalArgumentException if there are too few rows for the perplexity, a value is
     *     not finite or the start has the wrong length
     */
    public Result fit(FeatureMatrix features, double[] initialMap) {
        checkRows(features);
        int n = features.rows();
        Objects.requireNonNull(initialMap, "initialMap");
        if (initialMap.length != 2 * n) {
            throw new IllegalArgumentException("initial map must hold rows*2 = " + 2 * n
                    + " values, found " + initialMap.length);
        }
        for (int i = 0; i < initialMap.length; i++) {
            if (!Double.isFinite(initialMap[i])) {
                throw new IllegalArgumentException("initial map must be finite, found "
                        + initialMap[i] + " at " + i);
            }
        }
        return optimise(jointProbabilities(features, perplexity), initialMap, n);
    }

    /**
     * Gradient descent on {@code KL(P || Q)} from {@code initialMap}, on the schedule of this
     * configuration.
     *
     * @param p {@code (rows, rows)} joint probabilities, symmetric, summing to 1
     * @param initialMap {@code (rows, 2)} starting coordinates; not changed
     */
    Result optimise(double[] p, double[] initialMap, int n) {
        double[] y = initialMap.clone();
        double[] gradient = new double[2 * n];
        double[] update = new double[2 * n];
        double[] gains = new double[2 * n];
        java.util.Arrays.fill(gains, 1);
        double rate = learningRate(n);
        for (int t = 0; t < iterations; t++) {
            boolean exaggerated = t < exaggerationIterations;
            if (t == exaggerationIterations) {
                java.util.Arrays.fill(update, 0); // the second phase starts afresh
                java.util.Arrays.fill(gains, 1);
            }
            gradient(p, y, n, exaggerated ? earlyExaggeration : 1, gradient);
            double momentum = exaggerated ? INITIAL_MOMENTUM : FINAL_MOMENTUM;
            for (int k = 0; k < 2 * n; k++) {
                gains[k] = update[k] * gradient[k] < 0 ? gains[k] + GAIN_STEP
                        : gains[k] * GAIN_DECAY;
                gains[k] = Math.max(gains[k], MIN_GAIN);
                update[k] = momentum * update[k] - rate * (gains[k] * gradient[k]);
                y[k] += update[k];
            }
            recentre(y, n);
        }
        return new Result(y, klDivergence(p, y, n));
    }

    /**
     * The starting map: the centred rows on their first two principal components ({@link Pca};
     * zeros for the second when {@code dim} is 1), scaled so that the first coordinate's
     * population std is {@value #INITIAL_STD}: {@code (rows, 2)}, row-major.
     */
    public static double[] initialMap(FeatureMatrix features) {
        int n = features.rows();
        int components = Math.min(2, features.dim());
        double[] projected = Pca.fit(features, components).project(features);
        double[] map = new double[2 * n];
        double mean = 0;
        for (int r = 0; r < n; r++) {
            map[2 * r] = projected[r * components];
            map[2 * r + 1] = components == 2 ? projected[2 * r + 1] : 0;
            mean += map[2 * r] / n;
        }
        double variance = 0;
        for (int r = 0; r < n; r++) {
            variance += (map[2 * r] - mean) * (map[2 * r] - mean) / n;
        }
        double scale = variance > 0 ? INITIAL_STD / Math.sqrt(variance) : 0;
        for (int k = 0; k < map.length; k++) {
            map[k] *= scale;
        }
        return map;
    }

    private void checkRows(FeatureMatrix features) {
        Objects.requireNonNull(features, "features");
        if (!(perplexity < features.rows() - 1)) {
            throw new IllegalArgumentException("perplexity must be < rows - 1 (" + features.rows()
                    + " rows: a row has " + (features.rows() - 1) + " neighbours), found "
                    + perplexity);
        }
        if (!features.isFinite()) {
            throw new IllegalArgumentException("features must be finite, found a NaN or "
                    + "infinite value");
        }
    }

    /** Squared Euclidean distances of the rows: {@code (rows, rows)}, row-major. */
    static double[] squaredDistances(FeatureMatrix features) {
        int n = features.rows();
        int dim = features.dim();
        float[] x = features.values();
        double[] d = new double[n * n];
        IntStream.range(0, n).parallel().forEach(i -> {
            for (int j = 0; j < n; j++) {
                double sum = 0;
                for (int k = 0; k < dim; k++) {
                    double difference = (double) x[i * dim + k] - x[j * dim + k];
                    sum += difference * difference;
                }
                d[i * n + j] = sum;
            }
        });
        return d;
    }

    /**
     * Each row's Gaussian conditional distribution over the other rows, its precision set so
     * that its entropy is {@code log(perplexity)} (within {@value #ENTROPY_TOLERANCE} nats):
     * {@code (rows, rows)}, row-major, {@code [i, j] = p_j|i}, zero diagonal, rows summing to 1.
     *
     * @param squaredDistances {@code (rows, rows)} squared distances
     */
    static double[] conditionalProbabilities(double[] squaredDistances, int n, double perplexity) {
        double target = Math.log(perplexity);
        double[] p = new double[n * n];
        IntStream.range(0, n).parallel().forEach(i -> {
            int base = i * n;
            // distances less the nearest's: the same distribution, no underflow far away
            double nearest = Double.POSITIVE_INFINITY;
            for (int j = 0; j < n; j++) {
                if (j != i) {
                    nearest = Math.min(nearest, squaredDistances[base + j]);
                }
            }
            double beta = 1;
            double low = 0;
            double high = Double.POSITIVE_INFINITY;
            for (int step = 0; step < SEARCH_STEPS; step++) {
                double sum = 0;
                double weighted = 0;
                for (int j = 0; j < n; j++) {
                    if (j != i) {
                        double shifted = squaredDistances[base + j] - nearest;
                        double e = Math.exp(-beta * shifted);
                        p[base + j] = e;
                        sum += e;
                        weighted += shifted * e;
                    }
                }
                // H = -sum p log p = log(sum) + beta * E[shifted distance]
                double entropy = Math.log(sum) + beta * weighted / sum;
                for (int j = 0; j < n; j++) {
                    p[base + j] /= sum;
                }
                double excess = entropy - target;
                if (Math.abs(excess) <= ENTROPY_TOLERANCE) {
                    break;
                }
                if (excess > 0) { // too flat: sharpen
                    low = beta;
                    beta = high == Double.POSITIVE_INFINITY ? beta * 2 : (beta + high) / 2;
                } else {
                    high = beta;
                    beta = (beta + low) / 2;
                }
            }
        });
        return p;
    }

    /**
     * The symmetric joint probabilities {@code p_ij = (p_j|i + p_i|j) / (2 rows)} of the rows
     * at {@code perplexity}: {@code (rows, rows)}, row-major, zero diagonal, summing to 1.
     */
    static double[] jointProbabilities(FeatureMatrix features, double perplexity) {
        int n = features.rows();
        double[] p = conditionalProbabilities(squaredDistances(features), n, perplexity);
        for (int i = 0; i < n; i++) { // in place: each pair once
            for (int j = i; j < n; j++) {
                double joint = (p[i * n + j] + p[j * n + i]) / (2.0 * n);
                p[i * n + j] = joint;
                p[j * n + i] = joint;
            }
        }
        return p;
    }

    /**
     * The gradient of {@code KL(exaggeration P || Q)} with respect to the map:
     * {@code 4 sum_j (exaggeration p_ij - q_ij) w_ij (y_i - y_j)}, written as
     * {@code 4 (exaggeration sum_j p_ij w_ij (y_i - y_j) - sum_j w_ij^2 (y_i - y_j) / Z)} so that
     * one pass over the pairs gives every sum.
     *
     * <p>Per row, the {@code w_ij} come first (a loop the JIT vectorises), then the sums, in two
     * interleaved partial sums (even and odd {@code j}) that shorten the chains of dependent
     * additions; rows are split into fixed blocks, so the order of every sum is the same
     * whatever the threads.
     *
     * @param p {@code (rows, rows)} joint probabilities
     * @param y {@code (rows, 2)} the map
     * @param out {@code (rows, 2)}, overwritten with the gradient
     */
    static void gradient(double[] p, double[] y, int n, double exaggeration, double[] out) {
        double[] xs = new double[n];
        double[] ys = new double[n];
        for (int i = 0; i < n; i++) {
            xs[i] = y[2 * i];
            ys[i] = y[2 * i + 1];
        }
        double[] rowSums = new double[n];
        double[] repulsion = new double[2 * n];
        int blocks = (n + ROW_BLOCK - 1) / ROW_BLOCK;
        IntStream.range(0, blocks).parallel().forEach(block -> {
            double[] w = new double[n];
            for (int i = block * ROW_BLOCK; i < Math.min(n, (block + 1) * ROW_BLOCK); i++) {
                double xi = xs[i];
                double yi = ys[i];
                for (int j = 0; j < n; j++) {
                    double dx = xi - xs[j];
                    double dy = yi - ys[j];
                    w[j] = 1 / (1 + dx * dx + dy * dy); // w_ii = 1: taken off Z below
                }
                // even j in the first partial sums, odd j in the second; p_ii = 0 and
                // y_i - y_i = 0, so only Z sees j = i
                double wSum0 = 0;
                double wSum1 = 0;
                double attractX0 = 0;
                double attractX1 = 0;
                double attractY0 = 0;
                double attractY1 = 0;
                double repelX0 = 0;
                double repelX1 = 0;
                double repelY0 = 0;
                double repelY1 = 0;
                int base = i * n;
                int j = 0;
                for (; j + 1 < n; j += 2) {
                    double w0 = w[j];
                    double w1 = w[j + 1];
                    double dx0 = xi - xs[j];
                    double dy0 = yi - ys[j];
                    double dx1 = xi - xs[j + 1];
                    double dy1 = yi - ys[j + 1];
                    double pw0 = p[base + j] * w0;
                    double pw1 = p[base + j + 1] * w1;
                    double ww0 = w0 * w0;
                    double ww1 = w1 * w1;
                    wSum0 += w0;
                    wSum1 += w1;
                    attractX0 += pw0 * dx0;
                    attractX1 += pw1 * dx1;
                    attractY0 += pw0 * dy0;
                    attractY1 += pw1 * dy1;
                    repelX0 += ww0 * dx0;
                    repelX1 += ww1 * dx1;
                    repelY0 += ww0 * dy0;
                    repelY1 += ww1 * dy1;
                }
                if (j < n) { // odd n: the last j
                    double dx0 = xi - xs[j];
                    double dy0 = yi - ys[j];
                    double pw0 = p[base + j] * w[j];
                    double ww0 = w[j] * w[j];
                    wSum0 += w[j];
                    attractX0 += pw0 * dx0;
                    attractY0 += pw0 * dy0;
                    repelX0 += ww0 * dx0;
                    repelY0 += ww0 * dy0;
                }
                rowSums[i] = wSum0 + wSum1 - 1;
                out[2 * i] = attractX0 + attractX1;
                out[2 * i + 1] = attractY0 + attractY1;
                repulsion[2 * i] = repelX0 + repelX1;
                repulsion[2 * i + 1] = repelY0 + repelY1;
            }
        });
        double z = 0;
        for (int i = 0; i < n; i++) {
            z += rowSums[i];
        }
        for (int k = 0; k < 2 * n; k++) {
            out[k] = 4 * (exaggeration * out[k] - repulsion[k] / z);
        }
    }

    /**
     * {@code KL(P || Q) = sum_{i != j} p_ij log(p_ij / q_ij)} of the map {@code y}
     * {@code (rows, 2)}, in nats; pairs with {@code p_ij = 0} add nothing.
     */
    static double klDivergence(double[] p, double[] y, int n) {
        double[] rowSums = new double[n];
        double[] rowTerms = new double[n];
        IntStream.range(0, n).parallel().forEach(i -> {
            double wSum = 0;
            double terms = 0;
            for (int j = 0; j < n; j++) {
                if (j == i) {
                    continue;
                }
                double d0 = y[2 * i] - y[2 * j];
                double d1 = y[2 * i + 1] - y[2 * j + 1];
                double w = 1 / (1 + d0 * d0 + d1 * d1);
                wSum += w;
                double pij = p[i * n + j];
                if (pij > 0) {
                    terms += pij * Math.log(pij / w);
                }
            }
            rowSums[i] = wSum;
            rowTerms[i] = terms;
        });
        double z = 0;
        double terms = 0;
        double mass = 0;
        for (int i = 0; i < n; i++) {
            z += rowSums[i];
            terms += rowTerms[i];
        }
        for (double value : p) {
            mass += value;
        }
        // sum p log(p / (w / Z)) = sum p log(p / w) + log(Z) sum p
        return terms + Math.log(z) * mass;
    }

    private static void recentre(double[] y, int n) {
        double mean0 = 0;
        double mean1 = 0;
        for (int i = 0; i < n; i++) {
            mean0 += y[2 * i];
            mean1 += y[2 * i + 1];
        }
        mean0 /= n;
        mean1 /= n;
        for (int i = 0; i < n; i++) {
            y[2 * i] -= mean0;
            y[2 * i + 1] -= mean1;
        }
    }

    /** Builds a {@link Tsne}: {@code opt} setters override defaults, {@link #build()} validates. */
    public static final class Builder {
        private double perplexity = 30;
        private int iterations = 1000;
        private double earlyExaggeration = 12;
        private int exaggerationIterations = 250;
        private OptionalDouble learningRate = OptionalDouble.empty();

        private Builder() {}

        /** The effective number of neighbours (default 30). */
        public Builder optPerplexity(double perplexity) {
            this.perplexity = perplexity;
            return this;
        }

        /** Iterations in all (default 1000). */
        public Builder optIterations(int iterations) {
            this.iterations = iterations;
            return this;
        }

        /** The factor of {@code P} early on (default 12) and its iterations (default 250). */
        public Builder optEarlyExaggeration(double factor, int iterations) {
            this.earlyExaggeration = factor;
            this.exaggerationIterations = iterations;
            return this;
        }

        /** A fixed learning rate (default: {@code max(rows / earlyExaggeration / 4, 50)}). */
        public Builder optLearningRate(double learningRate) {
            this.learningRate = OptionalDouble.of(learningRate);
            return this;
        }

        /** The validated {@link Tsne}. */
        public Tsne build() {
            return new Tsne(perplexity, iterations, earlyExaggeration, exaggerationIterations,
                    learningRate);
        }
    }
}
