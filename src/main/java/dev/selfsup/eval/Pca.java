package dev.selfsup.eval;

import java.util.SplittableRandom;

/**
 * Principal component analysis of embeddings, for 2-D maps: the features are centred, their
 * covariance {@code (dim, dim)} is formed in double precision, and its leading eigenvectors are
 * found by power iteration with deflation.
 *
 * @param components the leading unit eigenvectors, {@code components[c]} of length dim
 * @param variances their eigenvalues (variance along each), largest first
 * @param totalVariance the covariance's trace (all the variance)
 * @param mean the features' mean, subtracted before projecting
 */
public record Pca(double[][] components, double[] variances, double totalVariance, double[] mean) {
    private static final int ITERATIONS = 500;

    /** The first {@code count} principal components of {@code features}. */
    public static Pca fit(FeatureMatrix features, int count) {
        int n = features.rows();
        int dim = features.dim();
        if (n < 2 || count < 1 || count > dim) {
            throw new IllegalArgumentException("need at least 2 rows and 1 <= count <= dim ("
                    + dim + "), found " + n + " rows and count " + count);
        }
        float[] x = features.values();
        double[] mean = new double[dim];
        for (int r = 0; r < n; r++) {
            for (int d = 0; d < dim; d++) {
                mean[d] += x[r * dim + d];
            }
        }
        for (int d = 0; d < dim; d++) {
            mean[d] /= n;
        }
        double[][] covariance = new double[dim][dim];
        double[] centred = new double[dim];
        for (int r = 0; r < n; r++) {
            for (int d = 0; d < dim; d++) {
                centred[d] = x[r * dim + d] - mean[d];
            }
            for (int i = 0; i < dim; i++) {
                double ci = centred[i];
                double[] row = covariance[i];
                for (int j = i; j < dim; j++) {
                    row[j] += ci * centred[j];
                }
            }
        }
        double trace = 0;
        for (int i = 0; i < dim; i++) {
            for (int j = i; j < dim; j++) {
                covariance[i][j] /= n - 1;
                covariance[j][i] = covariance[i][j];
            }
            trace += covariance[i][i];
        }
        double[][] components = new double[count][];
        double[] variances = new double[count];
        SplittableRandom random = new SplittableRandom(0);
        for (int c = 0; c < count; c++) {
            double[] v = new double[dim];
            for (int d = 0; d < dim; d++) {
                v[d] = random.nextGaussian();
            }
            normalise(v);
            double lambda = 0;
            for (int iteration = 0; iteration < ITERATIONS; iteration++) {
                double[] next = multiply(covariance, v);
                lambda = dot(v, next);
                if (normalise(next) == 0) {
                    break; // no variance left
                }
                double change = 1 - Math.abs(dot(next, v));
                v = next;
                if (change < 1e-14) {
                    break;
                }
            }
            components[c] = v;
            variances[c] = Math.max(lambda, 0);
            // deflate: remove this direction's variance before finding the next
            for (int i = 0; i < dim; i++) {
                for (int j = 0; j < dim; j++) {
                    covariance[i][j] -= lambda * v[i] * v[j];
                }
            }
        }
        return new Pca(components, variances, trace, mean);
    }

    /** The rows of {@code features} on the components: {@code (rows, count)}, row-major. */
    public double[] project(FeatureMatrix features) {
        int dim = features.dim();
        int count = components.length;
        double[] out = new double[features.rows() * count];
        float[] x = features.values();
        for (int r = 0; r < features.rows(); r++) {
            for (int c = 0; c < count; c++) {
                double sum = 0;
                for (int d = 0; d < dim; d++) {
                    sum += (x[r * dim + d] - mean[d]) * components[c][d];
                }
                out[r * count + c] = sum;
            }
        }
        return out;
    }

    /** Share of all the variance along component {@code c}. */
    public double explained(int c) {
        return totalVariance > 0 ? variances[c] / totalVariance : 0;
    }

    private static double[] multiply(double[][] matrix, double[] v) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = dot(matrix[i], v);
        }
        return out;
    }

    private static double dot(double[] a, double[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += a[i] * b[i];
        }
        return sum;
    }

    private static double normalise(double[] v) {
        double norm = Math.sqrt(dot(v, v));
        if (norm > 0) {
            for (int i = 0; i < v.length; i++) {
                v[i] /= norm;
            }
        }
        return norm;
    }
}
